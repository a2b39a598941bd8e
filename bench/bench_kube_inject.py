#!/usr/bin/env python3
"""The performance figures of sidecarctl kube-inject, each against its yardstick, in one run.

    python3 -m venv /tmp/benchvenv && /tmp/benchvenv/bin/pip install -q .   # once: a real install
    python3 bench/bench_kube_inject.py [--shared ../shared] [--sizes 1000,10000] [--cmd 'sidecarctl']

Measure a regular (non-editable) install: pip compiles its bytecode once at install time. The
default command is /tmp/benchvenv/bin/sidecarctl when it exists, else .venv/bin/sidecarctl (an
editable install; with PYTHONDONTWRITEBYTECODE=1 set, as on some CI machines, every module is then
compiled again on every run and startup is not representative). Figure 4 runs
bench/bench_template.py with the interpreter next to the command (the same installation).

1. Batch: N workloads (the public conformance inputs repeated with distinct names) through
   `sidecarctl kube-inject` with the default conformance settings, against the floor: the time
   PyYAML's C loader and dumper take, in one process, to parse the same input and dump the output.
   Goal: ratio <= 2.0.
2. Startup: one small manifest with settings files, wall time of the whole command against
   `python3 -c 'import yaml'`, each the median of 21 runs taken alternately (so both see the same
   machine load). Goal: <= 3.0x. The settings' decoded YAML and parse trees come from the on-disk
   cache (sidecarctl/diskcache.py), filled by the batch runs before; the same figure without the
   cache (SIDECARCTL_NO_CACHE=1, as a first run after the settings changed) is printed too.
3. Memory: peak RSS of the batch run for the largest N against N = 100. Goal: <= 1.5x.
4. Template: time per render of the `sidecar` template for hello.yaml's pod against parsing the
   rendered YAML with yaml.CSafeLoader (see bench/bench_template.py). Goal: <= 1.5x.

This is a measurement script, not a test: it prints figures and never fails on them.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
STARTUP_RUNS = 21
SKIP_INPUTS = {"hello-host-network-with-ns.yaml"}  # skipped workloads would flatter the figure


def find_shared(arg: str | None) -> Path:
    path = Path(arg) if arg else ROOT.parent / "shared"
    if not (path / "conformance").is_dir():
        sys.exit(f"bench: no conformance suite under {path}; pass --shared DIR")
    return path


BENCH_VENV = Path("/tmp/benchvenv/bin/sidecarctl")


def default_command() -> list[str]:
    for candidate in (BENCH_VENV, ROOT / ".venv" / "bin" / "sidecarctl"):
        if candidate.exists():
            return [str(candidate)]
    return ["sidecarctl"]


def python_of(cmd: list[str]) -> str:
    """The interpreter installed next to the command (so figure 4 measures the same install)."""
    import shutil

    exe = shutil.which(cmd[0]) if cmd else None
    python = Path(exe).parent / "python" if exe else None
    return str(python) if python is not None and python.exists() else sys.executable


def workload_inputs(suite: Path) -> list[str]:
    """The conformance inputs that istioctl injects without error, one text each."""
    cases = yaml.safe_load((suite / "cases.yaml").read_text())
    names = sorted({c["input"] for c in cases if "golden" in c and c.get("settings") == "default"})
    return [(suite / "cases" / n).read_text() for n in names if n not in SKIP_INPUTS]


def build_stream(texts: list[str], n: int) -> str:
    """n documents, cycling through the inputs, each workload renamed `<name>-<i>`."""
    docs: list[str] = []
    pool = [d for t in texts for d in re.split(r"(?m)^---\s*$", t) if d.strip()]
    i = 0
    while len(docs) < n:
        doc = pool[i % len(pool)]
        docs.append(re.sub(r"(?m)^(  name: )(\S+)", lambda m: f"{m.group(1)}{m.group(2)}-{i}", doc, count=1))  # noqa: B023
        i += 1
    return "---\n".join(d.strip("\n") + "\n" for d in docs)


def settings_flags(suite: Path) -> list[str]:
    s = suite / "settings" / "default"
    return [
        "--injectConfigFile",
        str(s / "inject-config.yaml"),
        "--meshConfigFile",
        str(s / "mesh-config.yaml"),
        "--valuesFile",
        str(s / "inject-values.yaml"),
    ]


def run_measured(cmd: list[str], env: dict[str, str]) -> tuple[float, int, bytes]:
    """Wall seconds, peak RSS in KiB of the child, and its stdout."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    proc = subprocess.run(cmd, env=env, capture_output=True, check=False)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"bench: command failed ({proc.returncode}): {proc.stderr.decode()[-500:]}")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return wall, max(peak, before), proc.stdout


def peak_rss_of(cmd: list[str], env: dict[str, str]) -> int:
    """Peak RSS of one child (a fresh interpreter so earlier children do not mask it)."""
    probe = (
        "import resource,subprocess,sys;"
        "subprocess.run(sys.argv[1:],stdout=subprocess.DEVNULL,stderr=subprocess.DEVNULL);"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    out = subprocess.run([sys.executable, "-c", probe, *cmd], env=env, capture_output=True, text=True, check=True)
    return int(out.stdout.strip())


def floor_seconds(stream: str, output: bytes) -> float:
    docs_out = list(yaml.load_all(output, Loader=yaml.CSafeLoader))
    start = time.perf_counter()
    list(yaml.load_all(stream, Loader=yaml.CSafeLoader))
    yaml.dump_all(docs_out, Dumper=yaml.CSafeDumper)
    return time.perf_counter() - start


def machine() -> str:
    import platform

    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return f"{cpu}, {os.cpu_count()} cores, {platform.system()} {platform.release()}, Python {sys.version.split()[0]}, load {load}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shared")
    ap.add_argument("--sizes", default="1000,10000")
    ap.add_argument("--cmd", help="sidecarctl command (default: .venv/bin/sidecarctl)")
    args = ap.parse_args()
    suite = find_shared(args.shared) / "conformance" / "istio-1.30.3"
    base = shlex.split(args.cmd) if args.cmd else default_command()
    env = dict(os.environ, ENABLE_NATIVE_SIDECARS="true")
    texts = workload_inputs(suite)
    sizes = [int(s) for s in args.sizes.split(",")]
    with tempfile.TemporaryDirectory() as tmp:
        print(f"command: {shlex.join(base)}")
        print(f"machine: {machine()}")
        rss: dict[int, int] = {}
        for n in [100, *sizes]:
            path = Path(tmp) / f"stream-{n}.yaml"
            path.write_text(build_stream(texts, n))
            cmd = [*base, "kube-inject", *settings_flags(suite), "-f", str(path)]
            wall, _, out = run_measured(cmd, env)
            rss[n] = peak_rss_of(cmd, env)
            if n == 100:
                continue
            floor = floor_seconds(path.read_text(), out)
            print(
                f"1. batch N={n}: {wall:.2f} s, floor (PyYAML C load+dump) {floor:.2f} s, "
                f"ratio {wall / floor:.2f} (goal <= 2.0)"
            )
        small = Path(tmp) / "small.yaml"
        small.write_text((suite / "cases" / "hello.yaml").read_text())
        cmd = [*base, "kube-inject", *settings_flags(suite), "-f", str(small)]
        walls, imports, cold = [], [], []
        no_cache = dict(env, SIDECARCTL_NO_CACHE="1")
        for _ in range(STARTUP_RUNS):
            walls.append(run_measured(cmd, env)[0])
            imports.append(run_measured([sys.executable, "-c", "import yaml"], env)[0])
            cold.append(run_measured(cmd, no_cache)[0])
        wall, imported, uncached = (statistics.median(times) for times in (walls, imports, cold))
        print(
            f"2. startup: {wall * 1000:.0f} ms vs python3 -c 'import yaml' {imported * 1000:.0f} ms, "
            f"ratio {wall / imported:.2f} (goal <= 3.0); without the cache {uncached * 1000:.0f} ms, "
            f"ratio {uncached / imported:.2f}"
        )
        big = max(sizes)
        print(
            f"3. memory: peak RSS N={big} {rss[big] / 1024:.0f} MiB vs N=100 {rss[100] / 1024:.0f} MiB, "
            f"ratio {rss[big] / rss[100]:.2f} (goal <= 1.5)"
        )
    template = subprocess.run(
        [python_of(base), str(ROOT / "bench" / "bench_template.py"), "--shared", str(suite.parent.parent)],
        capture_output=True,
        text=True,
        check=False,
    )
    lines = (template.stdout or template.stderr).strip().splitlines()
    print(f"4. template: {lines[-1] if lines else 'bench_template.py printed nothing'}")


if __name__ == "__main__":
    main()
