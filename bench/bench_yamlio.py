#!/usr/bin/env python3
"""Speed of sidecarctl.yamlio against PyYAML's C (libyaml) loader and dumper on the same documents.

    python3 bench/bench_yamlio.py [--shared ../shared] [-n 20]

Documents: every document of the conformance goldens (`*.injected`: istioctl's real output), repeated
N times. Timed: `dump_yaml` vs `yaml.dump(..., Dumper=yaml.CSafeDumper)` of the same objects, and
`load_document` vs `yaml.load(..., Loader=yaml.CSafeLoader)` of the same texts. The pipeline goal is
a combined ratio within 2x. Caches are warm after the first round, as in a long run over many
documents with repeated keys and values; the cold first round is printed too.

This is a measurement script, not a test: it prints figures and never fails on them.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sidecarctl.yamlio import dump_yaml, load_document, split_documents  # noqa: E402


def golden_documents(shared: Path) -> list[str]:
    cases = shared / "conformance" / "istio-1.30.3" / "cases"
    if not cases.is_dir():
        sys.exit(f"bench: no conformance goldens under {cases}; pass --shared DIR")
    docs: list[str] = []
    for path in sorted(cases.glob("*.injected")):
        docs.extend(split_documents(path.read_text(encoding="utf-8")))
    return docs


def best_of(rounds: int, fn: Callable[[], Any]) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("-n", type=int, default=20, help="repetitions of the golden documents per round")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    texts = golden_documents(args.shared) * args.n
    objects = [load_document(t) for t in texts]
    print(f"{len(texts)} documents ({len(texts) // args.n} distinct), {sum(map(len, texts)) / 1e6:.1f} MB")

    cold = time.perf_counter()
    for obj in objects[: len(objects) // args.n]:
        dump_yaml(obj)
    cold = time.perf_counter() - cold

    ours_dump = best_of(args.rounds, lambda: [dump_yaml(o) for o in objects])
    c_dump = best_of(args.rounds, lambda: [yaml.dump(o, Dumper=yaml.CSafeDumper) for o in objects])
    ours_load = best_of(args.rounds, lambda: [load_document(t) for t in texts])
    c_load = best_of(args.rounds, lambda: [yaml.load(t, Loader=yaml.CSafeLoader) for t in texts])

    per_doc = 1e6 / len(texts)
    print(
        f"dump: yamlio {ours_dump * per_doc:7.1f} us/doc   CSafeDumper {c_dump * per_doc:7.1f} us/doc   "
        f"ratio {ours_dump / c_dump:.2f}"
    )
    print(
        f"      (first pass over the distinct documents, cold caches: {cold * 1e6 / (len(texts) // args.n):.1f} us/doc)"
    )
    print(
        f"load: yamlio {ours_load * per_doc:7.1f} us/doc   CSafeLoader {c_load * per_doc:7.1f} us/doc   "
        f"ratio {ours_load / c_load:.2f}"
    )
    print(f"load + dump ratio {(ours_dump + ours_load) / (c_dump + c_load):.2f}  (goal <= 2.0)")


if __name__ == "__main__":
    main()
