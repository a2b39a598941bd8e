#!/usr/bin/env python3
"""Long fuzz run over the manifest pipeline, the Go template engine and the file operations (docs/errors.md).

    .venv/bin/python bench/fuzz.py --minutes 10                 # every target, as in the release check
    .venv/bin/python bench/fuzz.py --minutes 60 --target template --seed 7 --out /tmp/fuzz-findings
    .venv/bin/python bench/fuzz.py --minutes 5 --target files   # -o / --in-place under signals, full disks

Inputs are mutated from seeds (the samples, the conformance cases and the template corpus when
../shared is there, and built-in snippets): byte and token splices for YAML and templates, and
typed-tree mutations (a value of the wrong type, null, a deep or huge value) for manifests. Each
input runs in-process with a per-case time limit (SIGALRM) under an address-space limit.

A finding is anything outside the error contract: an exception that is not a SidecarError (or
TemplateError for the engine), a case over its time limit, or a successful run that drops a
document. Findings are written to --out (input + traceback) and the exit status is 1 if any.

The `files` target runs the real CLI in a subprocess per case (signals and limits need a
process): `-o` onto a regular file, a new file, a FIFO, a character device (mknod, as root; the
null and the always-full device), a directory, a missing directory, a read-only file, a hard
link or a symlink, or `--in-place` over one to three such files; disturbed by nothing, SIGTERM,
SIGHUP or SIGINT in the middle of the write phase (the documented test hook), a full disk (a
64 KiB tmpfs, where this process may mount one) or a file size limit (RLIMIT_FSIZE, `ulimit -f`).
A finding there is a traceback or "internal error", more than one stderr line, an exit status
other than 0, 1, 2 or 128+signal, a `.sidecarctl-*` file left behind, a device or FIFO no longer
one, a target changed by a failed run, or a successful --in-place whose files are not what
`kube-inject` prints for them.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import signal
import stat
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sidecarctl.errors import SidecarError  # noqa: E402

SHARED = ROOT.parent / "shared"
CASE_SECONDS = 10  # a case slower than this is a finding (a hang, or time not bounded)
FILES_CASE_SECONDS = 60  # a `files` case runs up to three CLI processes on a shared machine
MEMORY_BYTES = 4 * 1024**3

YAML_TOKENS = [
    "&a ",
    "*a",
    "<<: *a",
    "{",
    "}",
    "[",
    "]",
    "---\n",
    "\t",
    "\x00",
    "\r\n",
    ": ",
    "- ",
    "null",
    '"',
    "'",
    "!!binary ",
    "!!int ",
    "!!str ",
    "!",
    "? ",
    "|\n",
    ">-\n",
    "~",
    "0x1F",
    "1e400",
    ".nan",
    "\ufeff",
    "\u2028",
    "#",
    "%YAML 1.1\n",
    "kind: List\n",
    "items:\n",
    "  ",
    "\n",
    "containers: x\n",
    "template: null\n",
    "spec: []\n",
    'ports: ["80"]\n',
    "9223372036854775808",
]
TEMPLATE_TOKENS = [
    "{{",
    "}}",
    "{{-",
    "-}}",
    "{{/*",
    "*/}}",
    " . ",
    ".Values",
    ".ObjectMeta",
    ".Spec",
    "$",
    "$x := ",
    "$x = ",
    "|",
    "(",
    ")",
    "if ",
    "else ",
    "end",
    "range ",
    "with ",
    'define "a"',
    'template "a" .',
    'block "b" .',
    "break",
    "continue",
    "nil",
    "true",
    "1e309",
    "0x",
    "'a'",
    '"\\u00"',
    "`raw`",
    "index . 0",
    'printf "%v"',
    "toYaml",
    "fromJSON",
    "until 5",
    "default",
    'dict "a" 1',
    "list 1 2",
    "len",
    "call",
    "and",
    "or",
    "not",
    "eq",
    "lt",
    "slice",
    "html",
    "js",
    "urlquery",
    "print",
    "\n",
    " ",
    "__class__",
    ".__dict__",
]
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
            span = text[start : start + rng.randint(1, 80)]
            text = text[:pos] + span + text[pos:]
        elif op == 3 and text:  # flip one character
            i = rng.randrange(len(text))
            text = (
                text[:i]
                + chr(rng.choice([0, 9, 10, 13, 32, 35, 38, 42, 45, 58, 123, 0xFFFD, 0x85, 0xDC80]))
                + text[i + 1 :]
            )
        elif op == 4:  # change the indentation of a line
            lines = text.split("\n")
            i = rng.randrange(len(lines))
            lines[i] = " " * rng.choice([0, 1, 2, 3, 4, 8]) + lines[i].lstrip(" ")
            text = "\n".join(lines)
        else:  # two streams spliced
            text = text[:pos] + "\n---\n" + text[pos:]
    return text


WRONG_VALUES: list[Any] = [
    None,
    "x",
    "80",
    0,
    -1,
    1.5,
    True,
    [],
    {},
    [None],
    {"a": None},
    ["x"],
    2**63,
    {"containers": "x"},
    [[[]]],
]


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


FILE_KINDS = [
    "regular",
    "new",
    "fifo",
    "null-device",
    "full-device",
    "directory",
    "missing-dir",
    "read-only",
    "hardlink",
    "symlink",
]
DISTURBANCES = ["none", "SIGTERM", "SIGHUP", "SIGINT", "disk-full", "ulimit-f"]
PAUSE_ENV = "SIDECARCTL_TEST_PAUSE_BEFORE_REPLACE"  # sidecarctl.workflow.files.TEST_PAUSE_ENV


class FilesTarget:
    """The `files` target: one scenario per case in a fresh directory (see the module docstring)."""

    def __init__(self, scratch: Path) -> None:
        import subprocess

        self.scratch = scratch
        self.root = os.geteuid() == 0
        self.tmpfs: Path | None = scratch / "tmpfs"
        self.tmpfs.mkdir(parents=True, exist_ok=True)
        mounted = (
            self.root
            and subprocess.run(
                ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(self.tmpfs)], capture_output=True
            ).returncode
            == 0
        )
        if not mounted:
            self.tmpfs = None
        self.count = 0

    def close(self) -> None:
        import subprocess

        if self.tmpfs is not None:
            subprocess.run(["umount", str(self.tmpfs)], capture_output=True)

    def __call__(self, rng: random.Random, seeds: list[str]) -> tuple[str, Callable[[], None]]:
        kinds = [k for k in FILE_KINDS if self.root or "device" not in k]
        disturbances = [d for d in DISTURBANCES if d != "disk-full" or self.tmpfs is not None]
        in_place = rng.random() < 0.5
        files = [rng.choice(kinds) for _ in range(rng.randint(1, 3) if in_place else 1)]
        disturbance = rng.choice(disturbances)
        text = rng.choice(seeds) if rng.random() < 0.7 else manifest_case(rng, seeds)
        label = f"{'--in-place' if in_place else '-o'} {files} {disturbance}"

        def run() -> None:
            self.count += 1
            base = (self.tmpfs if disturbance == "disk-full" else self.scratch) / f"case{self.count}"
            try:
                self._run(base, text, in_place, files, disturbance)
            finally:
                import shutil

                shutil.rmtree(base, ignore_errors=True)

        return f"# {label}\n{text}", run

    def _run(self, base: Path, text: str, in_place: bool, kinds: list[str], disturbance: str) -> None:
        import subprocess
        import threading

        base.mkdir(parents=True)
        source = base / "in.yaml"
        try:
            source.write_text(text, "utf-8", "surrogateescape")
        except OSError:
            raise _Rejected() from None  # the case itself does not fit on the small disk
        targets = [self._make(base / f"t{i}", kind, text) for i, kind in enumerate(kinds)]
        before = {path: _snapshot(path) for path in targets}
        args = [sys.executable, "-m", "sidecarctl", "kube-inject", "--offline", "-q"]
        args += (
            [a for path in targets for a in ("-f", str(path))] + ["--in-place"]
            if in_place
            else ["-f", str(source), "-o", str(targets[0])]
        )
        env = {**os.environ, "PYTHONPATH": str(ROOT), "ENABLE_NATIVE_SIDECARS": "false"}
        marker = base / "staged"
        if disturbance.startswith("SIG"):
            env[PAUSE_ENV] = str(marker)
        limit = (lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))) if disturbance == "ulimit-f" else None
        for path in targets:  # the other end of each FIFO: it feeds --in-place, and reads -o
            if _is_fifo(path):
                work = (lambda p=path: _feed(p, text)) if in_place else (lambda p=path: _drain(p))
                threading.Thread(target=work, daemon=True).start()
        proc = subprocess.Popen(
            args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, preexec_fn=limit
        )
        try:
            signum = getattr(signal, disturbance, None) if disturbance.startswith("SIG") else None
            if signum is not None:
                while not marker.exists() and proc.poll() is None:
                    time.sleep(0.02)
                if proc.poll() is None:
                    proc.send_signal(signum)
            out, err = proc.communicate(timeout=FILES_CASE_SECONDS)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            for path in targets:  # a FIFO its helper still waits on: let it go
                if _is_fifo(path):
                    _unblock(path)
        _check_files(base, targets, before, proc.returncode, err.decode("utf-8", "replace"), in_place, signum, env)

    def _make(self, path: Path, kind: str, text: str) -> Path:
        if kind in ("regular", "read-only", "hardlink", "symlink"):
            real = path.with_name(path.name + ".real.yaml") if kind == "symlink" else path
            try:
                real.write_text(text, "utf-8", "surrogateescape")
            except OSError:
                raise _Rejected() from None
            if kind == "read-only":
                real.chmod(0o444)
            elif kind == "hardlink":
                os.link(real, path.with_name(path.name + ".link"))
            elif kind == "symlink":
                path.symlink_to(real.name)
        elif kind == "fifo":
            os.mkfifo(path)
        elif kind.endswith("-device"):
            os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(1, 3 if kind == "null-device" else 7))
        elif kind == "directory":
            path.mkdir()
        elif kind == "missing-dir":
            path = path / "no" / "out.yaml"
        return path


def _is_fifo(path: Path) -> bool:
    try:
        return stat.S_ISFIFO(os.lstat(path).st_mode)
    except OSError:
        return False


def _feed(path: Path, text: str) -> None:
    try:
        path.write_text(text, "utf-8", "surrogateescape")
    except OSError:
        pass


def _drain(path: Path) -> None:
    try:
        with open(path, "rb") as handle:
            while handle.read(1 << 16):
                pass
    except OSError:
        pass


def _unblock(path: Path) -> None:
    for flags in (os.O_WRONLY | os.O_NONBLOCK, os.O_RDONLY | os.O_NONBLOCK):
        try:
            os.close(os.open(path, flags))
        except OSError:
            pass


def _snapshot(path: Path) -> tuple[Any, ...] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    data = path.read_bytes() if stat.S_ISREG(st.st_mode) else b""
    return stat.S_IFMT(st.st_mode), st.st_ino, stat.S_IMODE(st.st_mode), st.st_uid, st.st_gid, data


def _check_files(
    base: Path,
    targets: list[Path],
    before: dict[Path, Any],
    code: int,
    err: str,
    in_place: bool,
    signum: int | None,
    env: dict[str, str],
) -> None:
    import subprocess

    problems = []
    allowed = {0, 1, 2} | ({128 + signum} if signum else set())
    if code not in allowed:
        problems.append(f"exit status {code}")
    lines = [line for line in err.splitlines() if line and not line.startswith("===> Skipping injection")]
    if "Traceback" in err or "internal error" in err or len(lines) > 1:
        problems.append(f"stderr: {err[:500]!r}")
    left = [p.name for p in base.rglob(".sidecarctl-*")]
    if left:
        problems.append(f"left behind: {left}")
    for path, old in before.items():
        now = _snapshot(path)
        if old is not None and now is not None and old[0] != now[0]:
            problems.append(f"{path.name} changed type")
        if code != 0 and now != old and (old is None or old[0] == stat.S_IFREG):
            problems.append(f"{path.name} changed by a failed run")
        if code == 0 and in_place and old is not None:
            expected = subprocess.run(
                [sys.executable, "-m", "sidecarctl", "kube-inject", "--offline", "-q", "-f", "-"],
                input=old[-1],
                capture_output=True,
                env=env,
            ).stdout
            if path.read_bytes() not in (expected, old[-1]):
                problems.append(f"{path.name} is not what kube-inject prints for it")
    if problems:
        raise AssertionError("; ".join(problems))
    if code != 0:
        raise _Rejected()


# --------------------------------------------------------------------------------------------------
# Driver
# --------------------------------------------------------------------------------------------------


def run_one(stats: Stats, name: str, text: str, run: Callable[[], None], out: Path) -> None:
    stats.cases += 1
    signal.setitimer(signal.ITIMER_REAL, FILES_CASE_SECONDS * 2 if name == "files" else CASE_SECONDS)
    try:
        run()
        stats.ok += 1
    except (SidecarError, _Rejected):
        stats.rejected += 1
    except CaseTimeout:
        _finding(stats, name, text, "over its time limit", out)
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
    parser.add_argument("--target", choices=["manifest", "template", "files", "all"], default="all")
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
    files_target = None
    if args.target in ("files", "all"):
        import tempfile

        files_target = FilesTarget(Path(tempfile.mkdtemp(prefix="sidecarctl-fuzz-files-")))
        targets.append(("files", files_target, manifest_seeds()))
    stats = {name: Stats() for name, _, _ in targets}
    deadline = time.monotonic() + args.minutes * 60
    last_report = time.monotonic()
    print(f"fuzz: seed {seed}, {args.minutes:g} min, targets {', '.join(stats)}", flush=True)
    try:
        while time.monotonic() < deadline:
            name, make, seeds = rng.choice(targets)
            text, run = make(rng, seeds)
            run_one(stats[name], name, text, run, args.out)
            if time.monotonic() - last_report > 60:
                last_report = time.monotonic()
                print(_summary(stats), flush=True)
    finally:  # Ctrl-C included: no tmpfs left mounted, no scratch left behind
        if files_target is not None:
            import shutil

            files_target.close()
            shutil.rmtree(files_target.scratch, ignore_errors=True)
    print(_summary(stats), flush=True)
    findings = sum(len(s.findings) for s in stats.values())
    print(f"fuzz: done, {findings} finding(s)" + (f" in {args.out}" if findings else ""), flush=True)
    return 1 if findings else 0


def _summary(stats: dict[str, Stats]) -> str:
    return "; ".join(
        f"{n}: {s.cases} cases, {s.ok} ok, {s.rejected} rejected, {len(s.findings)} findings" for n, s in stats.items()
    )


if __name__ == "__main__":
    sys.exit(main())
