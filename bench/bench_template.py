#!/usr/bin/env python3
"""Per-render cost of the injection template against parsing what it rendered, in one run.

    python3 bench/bench_template.py [--shared ../shared] [--rounds 7] [--renders 200]

Renders the default settings' `sidecar` template for the conformance input hello.yaml's pod (the
template data kube-inject builds for it, captured from one real kube-inject of that file), and
times, per render: `template.execute(data)` against `yaml.load(rendered, Loader=yaml.CSafeLoader)`
of that render's output (libyaml: the least any consumer of the text must spend on it). Goal: the
ratio <= 1.5. Best of --rounds rounds of --renders renders each, both measured in the same run.

Run it with the interpreter of the installation to measure (bench_kube_inject.py does). A
measurement script, not a test: it prints figures and never fails on them.
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


def captured_render(suite: Path) -> tuple[Any, Any]:
    """(template, data) of the `sidecar` render kube-inject performs for hello.yaml."""
    from sidecarctl.config.settings import load_settings
    from sidecarctl.inject import render
    from sidecarctl.inject.pipeline import KubeInject

    s = suite / "settings" / "default"
    settings = load_settings(str(s / "inject-config.yaml"), str(s / "inject-values.yaml"), str(s / "mesh-config.yaml"))
    seen: list[tuple[Any, Any]] = []
    real = render.execute

    def spy(template: Any, data: Any) -> str:
        seen.append((template, data))
        return real(template, data)

    render.execute = spy
    try:
        KubeInject(settings=settings, native_sidecars=True).inject_stream((suite / "cases" / "hello.yaml").read_text())
    finally:
        render.execute = real
    if len(seen) != 1 or seen[0][0] is not settings.inject_config.templates["sidecar"]:
        sys.exit("bench: hello.yaml did not render exactly the `sidecar` template once")
    return seen[0]


def best_per_call(rounds: int, calls: int, fn: Callable[[], Any]) -> float:
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(calls):
            fn()
        best = min(best, (time.perf_counter() - start) / calls)
    return best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--renders", type=int, default=200)
    args = ap.parse_args()
    suite = args.shared / "conformance" / "istio-1.30.3"
    if not suite.is_dir():
        sys.exit(f"bench: no conformance suite under {args.shared}; pass --shared DIR")
    template, data = captured_render(suite)
    rendered = template.execute(data)
    render_s = best_per_call(args.rounds, args.renders, lambda: template.execute(data))
    parse_s = best_per_call(args.rounds, args.renders, lambda: yaml.load(rendered, Loader=yaml.CSafeLoader))
    print(
        f"render {render_s * 1e6:.0f} us vs CSafeLoader parse of its output ({len(rendered)} bytes) "
        f"{parse_s * 1e6:.0f} us, ratio {render_s / parse_s:.2f} (goal <= 1.5)"
    )


if __name__ == "__main__":
    main()
