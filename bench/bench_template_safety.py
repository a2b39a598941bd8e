#!/usr/bin/env python3
"""The speed and memory goals of the template safety work (issue 13), each measured, in one run.

    python3 bench/bench_template_safety.py [--cmd .venv/bin/sidecarctl] [--rounds 5]

1. `regexMatch "^(a+)+$"` on 10,000 characters (catastrophic for a backtracking engine): median
   of --rounds, in-process. Goal < 50 ms.
2. `genPrivateKey "rsa"` (4096 bits, as Sprig): median of --rounds, in-process. Goal < 1 s.
3. `template render` of runaway templates (`range until 100000000`, `seq 1 100000000`,
   `randAlphaNum 50000000`) and a YAML alias bomb as --data: wall time and peak RSS of the whole
   command, and the error's last words. Goal < 2 s and < 500 MB each, failing with the limit named.

This is a measurement script, not a test: it prints figures and never fails on them. On a shared
machine the figures are noisy; the load average is printed with them.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNAWAY = {
    "range until 100000000": "{{ range until 100000000 }}x{{ end }}",
    "seq 1 100000000": "{{ seq 1 100000000 }}",
    "randAlphaNum 50000000": "{{ randAlphaNum 50000000 }}",
}
BOMB = (
    "a: &a ["
    + ", ".join(["lol"] * 9)
    + "]\n"
    + "".join(f"{c}: &{c} [{', '.join(['*' + p] * 9)}]\n" for p, c in zip("abcdefgh", "bcdefghi"))
)


def median_ms(fn: object, rounds: int) -> tuple[float, float]:
    """Median wall and CPU milliseconds (CPU time shows the cost without the machine's load)."""
    walls, cpus = [], []
    for _ in range(rounds):
        start, cpu = time.perf_counter(), time.process_time()
        fn()  # type: ignore[operator]
        walls.append(time.perf_counter() - start)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls) * 1000, statistics.median(cpus) * 1000


def run(cmd: list[str]) -> tuple[float, int, str]:
    """Wall seconds, peak RSS (KiB) of the child, last line of stderr."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    lines = done.stderr.strip().splitlines()
    return wall, max(peak, before), lines[-1] if lines else f"exit {done.returncode}, no error"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cmd", default=str(ROOT / ".venv" / "bin" / "sidecarctl"))
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    from sidecarctl.gotemplate import funcmap, parse

    print(f"load average: {', '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} cores")
    regex = parse('{{ regexMatch "^(a+)+$" .s }}', "t", funcmap("sprig"))
    data = {"s": "a" * 10_000 + "b"}
    wall, cpu = median_ms(lambda: regex.execute(data), args.rounds)
    print(f"1. regexMatch ^(a+)+$ on 10,000 characters: {wall:.2f} ms wall, {cpu:.2f} ms CPU (goal < 50 ms)")
    key = parse('{{ genPrivateKey "rsa" }}', "t", funcmap("sprig"))
    wall, cpu = median_ms(lambda: key.execute(None), args.rounds)
    print(f"2. genPrivateKey rsa (4096 bits): {wall:.0f} ms wall, {cpu:.0f} ms CPU (goal < 1000 ms)")
    with tempfile.TemporaryDirectory() as tmp:
        empty = Path(tmp) / "data.json"
        empty.write_text("{}")
        bomb = Path(tmp) / "bomb.yaml"
        bomb.write_text(BOMB)
        cases = [(name, text, empty) for name, text in RUNAWAY.items()] + [("--data alias bomb", "{{ .a }}", bomb)]
        for i, (name, text, data_file) in enumerate(cases):
            template = Path(tmp) / f"t{i}.tmpl"
            template.write_text(text)
            wall, peak, last = run([args.cmd, "template", "render", "--data", str(data_file), str(template)])
            print(f"3. {name}: {wall:.2f} s, peak RSS {peak / 1024:.0f} MiB (goal < 2 s, < 500 MB): ...{last[-90:]}")


if __name__ == "__main__":
    main()
