#!/usr/bin/env python3
"""Fail CI when a case listed as passing no longer passes (the ratchet).

    ratchet.py conformance RESULTS.json tests/conformance_passing.txt
    ratchet.py corpus RESULTS.jsonl tests/gotemplate/corpus_passing.txt
    ratchet.py yaml-oracle RESULTS.json tests/yamlio/oracle_passing.txt

RESULTS is what the shared runners write (`run_conformance.py --json`, `run_corpus.py --jsonl-out`,
`run_yaml_oracle.py --json-out`). The YAML oracle's report names only the failing cases, so its
cases are read from the case files the report names; a case is `emit ID` or `read ID`.
Cases that pass but are not listed yet are named, so the list can be extended in the same commit.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def load_results(kind: str, path: Path) -> dict[str, bool]:
    text = path.read_text(encoding="utf-8")
    if kind == "yaml-oracle":
        return load_oracle_results(json.loads(text))
    if kind == "conformance":
        rows = json.loads(text)
    else:
        rows = [json.loads(line) for line in text.splitlines() if line.strip()]
    return {row["name"]: bool(row["passed"]) for row in rows}


def load_oracle_results(report: dict) -> dict[str, bool]:
    results: dict[str, bool] = {}
    for kind, part in report.items():
        failed = {row["id"] for row in part["failures"]}
        with open(part["file"], encoding="utf-8") as cases:
            for line in cases:
                if line.strip():
                    ident = json.loads(line)["id"]
                    results[f"{kind} {ident}"] = ident not in failed
    return results


def load_list(path: Path) -> list[str]:
    if not path.exists():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def main(argv: list[str]) -> int:
    if len(argv) != 3 or argv[0] not in ("conformance", "corpus", "yaml-oracle"):
        print(__doc__, file=sys.stderr)
        return 2
    kind, results_path, list_path = argv[0], Path(argv[1]), Path(argv[2])
    results = load_results(kind, results_path)
    listed = load_list(list_path)
    regressed = [name for name in listed if not results.get(name, False)]
    unlisted = sorted(name for name, ok in results.items() if ok and name not in set(listed))
    print(f"ratchet {kind}: {len(listed)} listed, {len(regressed)} regressed, {len(unlisted)} passing but unlisted")
    for name in unlisted[:20]:
        print(f"  newly passing (add to {list_path}): {name}")
    for name in regressed:
        print(f"  REGRESSED: {name}")
    return 1 if regressed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
