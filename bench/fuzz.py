#!/usr/bin/env python3
"""Long fuzz run over the manifest pipeline and the Go template engine (docs/errors.md).

    .venv/bin/python bench/fuzz.py --minutes 10                 # both targets, as in the release check
    .venv/bin/python bench/fuzz.py --minutes 60 --target template --seed 7 --out /tmp/fuzz-findings

Inputs are mutated from seeds (the samples, the conformance cases and the template corpus when
../shared is there, and built-in snippets): byte and token splices for YAML and templates, and
typed-tree mutations (a value of the wrong type, null, a deep or huge value) for manifests. Each
input runs in-process with a per-case time limit (SIGALRM) under an address-space limit.

A finding is anything outside the error contract: an exception that is not a SidecarError (or
TemplateError for the engine), a case over its time limit, or a successful run that drops a
document. Findings are written to --out (input + traceback) and the exit status is 1 if any.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import signal
import sys
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sidecarctl.errors import SidecarError  # noqa: E402

SHARED = ROOT.parent / "shared"
CASE_SECONDS = 10  # a case slower than this is a finding (a hang, or time not bounded)
MEMORY_BYTES = 4 * 1024 ** 3

YAML_TOKENS = ["&a ", "*a", "<<: *a", "{", "}", "[", "]", "---\n", "\t", "\x00", "\r\n", ": ", "- ", "null",
               '"', "'", "!!binary ", "!!int ", "!!str ", "!", "? ", "|\n", ">-\n", "~", "0x1F", "1e400",
               ".nan", "\ufeff", "\u2028", "#", "%YAML 1.1\n", "kind: List\n", "items:\n", "  ", "\n",
               "containers: x\n", "template: null\n", "spec: []\n", "ports: [\"80\"]\n", "9223372036854775808"]
TEMPLATE_TOKENS = ["{{", "}}", "{{-", "-}}", "{{/*", "*/}}", " . ", ".Values", ".ObjectMeta", ".Spec", "$",
                   "$x := ", "$x = ", "|", "(", ")", "if ", "else ", "end", "range ", "with ", "define \"a\"",
                   "template \"a\" .", "block \"b\" .", "break", "continue", "nil", "true", "1e309", "0x",
                   "'a'", "\"\\u00\"", "`raw`", "index . 0", "printf \"%v\"", "toYaml", "fromJSON", "until 5",
                   "default", "dict \"a\" 1", "list 1 2", "len", "call", "and", "or", "not", "eq", "lt",
                   "slice", "html", "js", "urlquery", "print", "\n", " ", "__class__", ".__dict__"]
SNIPPETS = [
    "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: c\n    image: i\n",
    "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\nspec:\n  template:\n    metadata:\n"
    "      labels: {app: d}\n    spec:\n      containers:\n      - name: c\n        image: i\n"
    "        ports:\n        - containerPort: 80\n",
    "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Pod\n  metadata: {name: a}\n"
    "  spec: {containers: [{name: c, image: i}]}\n",
    "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: &a x, b: *a}\n",
    "# only a comment\n",
    "",
]


@dataclass
class Stats:
    cases: int = 0
    ok: int = 0
    rejected: int = 0
    findings: list[str] = field(default_factory=list)


class CaseTimeout(BaseException):
    """Raised by SIGALRM; a BaseException so that no `except Exception` in the code swallows it."""


def _alarm(_signum: int, _frame: Any) -> None:
    raise CaseTimeout()


# --------------------------------------------------------------------------------------------------
# Seeds and mutations
# --------------------------------------------------------------------------------------------------


def manifest_seeds() -> list[str]:
    seeds = list(SNIPPETS)
    paths = list((ROOT / "samples").rglob("*.yaml")) + list((SHARED / "conformance").rglob("cases/*.yaml"))
    for path in paths:
        if "inject-config" not in path.name:
            seeds.append(path.read_text("utf-8", "surrogateescape"))
    return seeds


def template_seeds() -> list[tuple[str, Any]]:
    seeds: list[tuple[str, Any]] = [("{{ .a }}", {"a": 1}), ("{{ range . }}{{ . }}{{ end }}", [1, 2])]
    corpus = SHARED / "gotemplate-corpus" / "cases.jsonl"
    if corpus.exists():
        for line in corpus.read_text("utf-8").splitlines():
            if line.strip():
                case = json.loads(line)
                seeds.append((case["template"], case["data"]))
    return seeds


def mutate_text(rng: random.Random, text: str, tokens: list[str]) -> str:
    for _ in range(rng.randint(1, 6)):
        op = rng.randrange(6)
        pos = rng.randint(0, len(text))
        if op == 0:
            text = text[:pos] + rng.choice(tokens) + text[pos:]
        elif op == 1 and text:  # delete a span
            end = min(len(text), pos + rng.randint(1, 20))
            text = text[:pos] + text[end:]
        elif op == 2 and text:  # duplicate a span (repeated keys, repeated blocks)
            start = rng.randint(0, len(text) - 1)
            span = text[start:start + rng.randint(1, 80)]
            text = text[:pos] + span + text[pos:]
        elif op == 3 and text:  # flip one character
            i = rng.randrange(len(text))
            text = text[:i] + chr(rng.choice([0, 9, 10, 13, 32, 35, 38, 42, 45, 58, 123, 0xFFFD, 0x85, 0xDC80])) + text[i + 1:]
        elif op == 4:  # change the indentation of a line
            lines = text.split("\n")
            i = rng.randrange(len(lines))
            lines[i] = " " * rng.choice([0, 1, 2, 3, 4, 8]) + lines[i].lstrip(" ")
            text = "\n".join(lines)
        else:  # two streams spliced
            text = text[:pos] + "\n---\n" + text[pos:]
    return text


WRONG_VALUES: list[Any] = [None, "x", "80", 0, -1, 1.5, True, [], {}, [None], {"a": None}, ["x"], 2 ** 63,
                           {"containers": "x"}, [[[]]]]


def mutate_tree(rng: random.Random, value: Any) -> Any:
    """Replace one node of a decoded document by a value of another type."""
    if not isinstance(value, (dict, list)) or not value or rng.random() < 0.25:
        return rng.choice(WRONG_VALUES)
    if isinstance(value, dict):
        key = rng.choice(list(value))
        value[key] = mutate_tree(rng, value[key])
    else:
        i = rng.randrange(len(value))
        value[i] = mutate_tree(rng, value[i])
    return value


def manifest_case(rng: random.Random, seeds: list[str]) -> str:
    text = rng.choice(seeds)
    if rng.random() < 0.4:
        import yaml

        try:
            docs = [d for d in yaml.safe_load_all(text) if d is not None]
        except yaml.YAMLError:
            docs = []
        if docs:
            docs = [mutate_tree(rng, d) for d in docs]
            return yaml.safe_dump_all(docs, sort_keys=False)
    return mutate_text(rng, text, YAML_TOKENS)


# --------------------------------------------------------------------------------------------------
# Targets
# --------------------------------------------------------------------------------------------------


def manifest_target() -> Callable[[random.Random, list[str]], tuple[str, Callable[[], None]]]:
    from sidecarctl.config import load_settings
    from sidecarctl.inject.pipeline import KubeInject
    from sidecarctl.yamlio import split_documents

    settings = load_settings(offline=True)

    def make(rng: random.Random, seeds: list[str]) -> tuple[str, Callable[[], None]]:
        text = manifest_case(rng, seeds)

        def run() -> None:
            out = KubeInject(settings=settings).inject_stream(text, source="fuzz.yaml")
            produced, expected = len(split_documents(out)), len(split_documents(text))
            if produced != expected:
                raise AssertionError(f"{expected} documents in, {produced} out")
        return text, run
    return make


def template_target() -> Callable[[random.Random, list[tuple[str, Any]]], tuple[str, Callable[[], None]]]:
    from sidecarctl.gotemplate import TemplateError, funcmap, parse

    funcs = {kind: funcmap(kind) for kind in ("go", "sprig", "istio")}

    def make(rng: random.Random, seeds: list[tuple[str, Any]]) -> tuple[str, Callable[[], None]]:
        source, data = rng.choice(seeds)
        text = mutate_text(rng, source, TEMPLATE_TOKENS)
        kind = rng.choice(list(funcs))

        def run() -> None:
            try:
                parse(text, "inject", funcs[kind]).execute(data)
            except TemplateError:
                raise _Rejected() from None
        return text, run
    return make


class _Rejected(Exception):
    """A clean refusal by the template engine (its errors are not SidecarErrors)."""


# --------------------------------------------------------------------------------------------------
# Driver
# --------------------------------------------------------------------------------------------------


def run_one(stats: Stats, name: str, text: str, run: Callable[[], None], out: Path) -> None:
    stats.cases += 1
    signal.setitimer(signal.ITIMER_REAL, CASE_SECONDS)
    try:
        run()
        stats.ok += 1
    except (SidecarError, _Rejected):
        stats.rejected += 1
    except CaseTimeout:
        _finding(stats, name, text, f"over {CASE_SECONDS}s", out)
    except BaseException as err:  # noqa: BLE001 - everything else is what we are looking for
        if isinstance(err, KeyboardInterrupt):
            raise
        _finding(stats, name, text, traceback.format_exc(), out)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)


def _finding(stats: Stats, name: str, text: str, detail: str, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    index = len(stats.findings)
    (out / f"{name}-{index}.input").write_text(text, "utf-8", "surrogateescape")
    (out / f"{name}-{index}.txt").write_text(detail, "utf-8")
    stats.findings.append(f"{name}-{index}: {detail.strip().splitlines()[-1]}")
    print(f"FINDING {stats.findings[-1]}", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=1.0, help="how long to run (default 1)")
    parser.add_argument("--target", choices=["manifest", "template", "all"], default="all")
    parser.add_argument("--seed", type=int, default=None, help="random seed (default: time)")
    parser.add_argument("--out", type=Path, default=Path("fuzz-findings"), help="where findings are written")
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else int(time.time())
    rng = random.Random(seed)
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_BYTES, MEMORY_BYTES))
    signal.signal(signal.SIGALRM, _alarm)
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 20_000))
    targets: list[tuple[str, Any, Any]] = []
    if args.target in ("manifest", "all"):
        targets.append(("manifest", manifest_target(), manifest_seeds()))
    if args.target in ("template", "all"):
        targets.append(("template", template_target(), template_seeds()))
    stats = {name: Stats() for name, _, _ in targets}
    deadline = time.monotonic() + args.minutes * 60
    last_report = time.monotonic()
    print(f"fuzz: seed {seed}, {args.minutes:g} min, targets {', '.join(stats)}", flush=True)
    while time.monotonic() < deadline:
        name, make, seeds = rng.choice(targets)
        text, run = make(rng, seeds)
        run_one(stats[name], name, text, run, args.out)
        if time.monotonic() - last_report > 60:
            last_report = time.monotonic()
            print(_summary(stats), flush=True)
    print(_summary(stats), flush=True)
    findings = sum(len(s.findings) for s in stats.values())
    print(f"fuzz: done, {findings} finding(s)" + (f" in {args.out}" if findings else ""), flush=True)
    return 1 if findings else 0


def _summary(stats: dict[str, Stats]) -> str:
    return "; ".join(f"{n}: {s.cases} cases, {s.ok} ok, {s.rejected} rejected, {len(s.findings)} findings"
                     for n, s in stats.items())


if __name__ == "__main__":
    sys.exit(main())
