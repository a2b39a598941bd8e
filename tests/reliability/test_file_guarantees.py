"""The file guarantees of docs/errors.md, driven through the real CLI in subprocesses: -o onto
devices, FIFOs, pipes and directories; --in-place keeping mode, owner and group and refusing what
it cannot replace faithfully; signals in the middle of the write phase; a full disk and a file
size limit; a directory symlink loop under -R.

Device nodes are made with mknod in a temporary directory (never the machine's /dev/null), which
needs root; a small tmpfs needs the right to mount. Tests needing either skip, saying so."""

from __future__ import annotations

import os
import resource
import signal
import stat
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from reliability_support import ROOT, SIDECARCTL, WALL_SECONDS, Result, assert_error, kube_inject, run

from sidecarctl.workflow.files import TEST_PAUSE_ENV

DEPLOYMENT = (
    b"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    metadata:\n"
    b"      labels: {app: web}\n    spec:\n      containers:\n      - name: web\n        image: nginx\n"
)
ROOT_ONLY = pytest.mark.skipif(os.geteuid() != 0, reason="needs root (mknod, chown to another user)")
OTHER_UID, OTHER_GID = 4321, 4322


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), "ENABLE_NATIVE_SIDECARS": "false"}


def _expected(tmp_path: Path) -> bytes:
    source = tmp_path / "expected-input.yaml"
    source.write_bytes(DEPLOYMENT)
    result = kube_inject(source, "-q")
    source.unlink()
    assert result.code == 0 and b"istio-proxy" in result.stdout, result.err
    return result.stdout


def _temporaries(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.startswith(".sidecarctl-"))


def _manifests(directory: Path, count: int) -> list[Path]:
    paths = []
    for i in range(count):
        path = directory / f"m{i}.yaml"
        path.write_bytes(DEPLOYMENT.replace(b"name: web\n", b"name: web%d\n" % i, 1))
        paths.append(path)
    return paths


def _in_place(*paths: Path, flags: tuple[str, ...] = (), env: dict[str, str] | None = None) -> Result:
    args = ["kube-inject", "--offline", "-q", "--in-place", *flags]
    for path in paths:
        args += ["-f", str(path)]
    return run(args, env=env)


# -o: what is not a regular file is written through, never replaced


@ROOT_ONLY
def test_output_onto_a_character_device_writes_through_it(tmp_path: Path) -> None:
    device = tmp_path / "mynull"
    os.mknod(device, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    source = tmp_path / "in.yaml"
    source.write_bytes(DEPLOYMENT)
    result = kube_inject(source, "-q", "-o", str(device))
    assert result.code == 0 and result.stdout == b"", result.err
    assert stat.S_ISCHR(device.lstat().st_mode) and device.lstat().st_rdev == os.makedev(1, 3)
    assert _temporaries(tmp_path) == []


@ROOT_ONLY
def test_output_onto_a_full_device_is_one_line(tmp_path: Path) -> None:
    """/dev/full's twin: every write fails with ENOSPC."""
    device = tmp_path / "myfull"
    os.mknod(device, 0o666 | stat.S_IFCHR, os.makedev(1, 7))
    source = tmp_path / "in.yaml"
    source.write_bytes(DEPLOYMENT)
    assert_error(
        kube_inject(source, "-q", "-o", str(device)), "write", "myfull", "No space left on device", "free some space"
    )
    assert stat.S_ISCHR(device.lstat().st_mode)


def test_output_into_a_fifo_writes_through_it(tmp_path: Path) -> None:
    fifo, source = tmp_path / "fifo", tmp_path / "in.yaml"
    os.mkfifo(fifo)
    source.write_bytes(DEPLOYMENT)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    result = kube_inject(source, "-q", "-o", str(fifo))
    reader.join(timeout=WALL_SECONDS)
    assert result.code == 0, result.err
    assert received == [_expected(tmp_path)]
    assert stat.S_ISFIFO(fifo.lstat().st_mode)


@pytest.mark.parametrize(
    "name,stream",
    [("/dev/stdout", "stdout"), ("/dev/stderr", "stderr"), ("/dev/fd/1", "stdout")],
    ids=["dev-stdout", "dev-stderr", "dev-fd-1"],
)
def test_output_to_a_descriptor_name_writes_into_the_pipe(tmp_path: Path, name: str, stream: str) -> None:
    source = tmp_path / "in.yaml"
    source.write_bytes(DEPLOYMENT)
    result = kube_inject(source, "-q", "-o", name)  # stdout and stderr are pipes here
    assert result.code == 0, result.err
    assert getattr(result, stream) == _expected(tmp_path)


@pytest.mark.parametrize(
    "flags,mentions",
    [((), ("write stdout", "Bad file descriptor")), (("-o", "/dev/stdout"), ("/dev/stdout", "Bad file descriptor"))],
    ids=["stdout", "dev-stdout"],
)
def test_closed_stdout_is_one_line(tmp_path: Path, flags: tuple[str, ...], mentions: tuple[str, ...]) -> None:
    source = tmp_path / "in.yaml"
    source.write_bytes(DEPLOYMENT)
    proc = subprocess.run(
        [
            "/bin/sh",
            "-c",
            'exec "$@" >&-',
            "sh",
            *SIDECARCTL,
            "kube-inject",
            "--offline",
            "-q",
            "-f",
            str(source),
            *flags,
        ],
        stderr=subprocess.PIPE,
        env=_env(),
        timeout=WALL_SECONDS,
    )
    assert_error(Result(proc.returncode, b"", proc.stderr), *mentions)


def test_output_onto_a_directory_is_one_line(tmp_path: Path) -> None:
    source, target = tmp_path / "in.yaml", tmp_path / "out"
    source.write_bytes(DEPLOYMENT)
    target.mkdir()
    assert_error(kube_inject(source, "-q", "-o", str(target)), "out", "Is a directory")
    assert list(target.iterdir()) == []


def _symlink_loop(tmp_path: Path) -> Path:
    loop = tmp_path / "loop.yaml"
    loop.symlink_to("loop.yaml")
    return loop


def _socket(tmp_path: Path) -> Path:
    import socket

    path = tmp_path / "sock"
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(path))
    server.close()  # the socket file stays; nobody listens on it
    return path


def _read_only_directory(tmp_path: Path) -> Path:
    if os.geteuid() == 0:
        pytest.skip("root writes into read-only directories")
    directory = tmp_path / "ro"
    directory.mkdir(mode=0o555)
    return directory / "out.yaml"


@pytest.mark.parametrize(
    "make,mentions",
    [
        (lambda t: t / "no" / "out.yaml", ("No such file or directory", "create the directory")),
        (lambda t: t / "in.yaml" / "out.yaml", ("Not a directory",)),
        (lambda t: t / ("x" * 300), ("File name too long", "shorter path")),
        (_symlink_loop, ("Too many levels of symbolic links", "fix the link")),
        (_read_only_directory, ("Permission denied", "permissions")),
        (_socket, ("No such device or address", "socket")),
    ],
    ids=["missing-directory", "not-a-directory", "name-too-long", "symlink-loop", "read-only-directory", "socket"],
)
def test_output_os_errors_are_one_line(tmp_path: Path, make: Callable[[Path], Path], mentions: tuple[str, ...]) -> None:
    source = tmp_path / "in.yaml"
    source.write_bytes(DEPLOYMENT)
    target = make(tmp_path)
    kind = stat.S_IFMT(os.lstat(target).st_mode) if os.path.lexists(target) else None
    line = assert_error(kube_inject(source, "-q", "-o", str(target)), *mentions)
    assert "internal error" not in line
    assert source.read_bytes() == DEPLOYMENT and _temporaries(tmp_path) == []
    assert (stat.S_IFMT(os.lstat(target).st_mode) if os.path.lexists(target) else None) == kind


def test_output_onto_a_regular_file_keeps_its_mode(tmp_path: Path) -> None:
    source, target = tmp_path / "in.yaml", tmp_path / "out.yaml"
    source.write_bytes(DEPLOYMENT)
    target.write_bytes(b"old\n")
    target.chmod(0o640)
    assert kube_inject(source, "-q", "-o", str(target)).code == 0
    assert target.read_bytes() == _expected(tmp_path)
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert _temporaries(tmp_path) == []


# --in-place: faithful replacement, or a refusal


@ROOT_ONLY
def test_in_place_as_root_keeps_owner_group_and_mode(tmp_path: Path) -> None:
    (path,) = _manifests(tmp_path, 1)
    os.chown(path, OTHER_UID, OTHER_GID)
    path.chmod(0o640)
    result = _in_place(path)
    assert result.code == 0, result.err
    st = path.stat()
    assert (st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)) == (OTHER_UID, OTHER_GID, 0o640)
    assert b"istio-proxy" in path.read_bytes()


def test_in_place_refuses_a_hard_link_unless_asked(tmp_path: Path) -> None:
    (path,) = _manifests(tmp_path, 1)
    other = tmp_path / "other-name.yml.bak"
    os.link(path, other)
    assert_error(_in_place(path), "m0.yaml", "2 hard links", "--break-hardlinks")
    assert path.read_bytes() == other.read_bytes() and b"istio-proxy" not in path.read_bytes()
    assert _in_place(path, flags=("--break-hardlinks",)).code == 0
    assert b"istio-proxy" in path.read_bytes() and b"istio-proxy" not in other.read_bytes()
    assert path.stat().st_nlink == 1


def test_in_place_refuses_a_read_only_file_unless_forced(tmp_path: Path) -> None:
    first, second = _manifests(tmp_path, 2)
    second.chmod(0o444)
    assert_error(_in_place(first, second), "m1.yaml", "read-only", "--force")
    assert b"istio-proxy" not in first.read_bytes() + second.read_bytes()  # nothing written, not even the first
    assert _in_place(first, second, flags=("--force",)).code == 0
    assert b"istio-proxy" in second.read_bytes() and stat.S_IMODE(second.stat().st_mode) == 0o444


def test_in_place_through_a_symlink_rewrites_its_target(tmp_path: Path) -> None:
    (target,) = _manifests(tmp_path, 1)
    link = tmp_path / "link.yaml"
    link.symlink_to(target.name)
    assert _in_place(link).code == 0
    assert link.is_symlink() and os.readlink(link) == target.name
    assert b"istio-proxy" in target.read_bytes()


def test_in_place_refuses_a_fifo(tmp_path: Path) -> None:
    fifo = tmp_path / "in.yaml"
    os.mkfifo(fifo)
    writer = threading.Thread(target=lambda: fifo.write_bytes(DEPLOYMENT))
    writer.start()
    result = _in_place(fifo)
    writer.join(timeout=WALL_SECONDS)
    assert_error(result, "in.yaml", "not a regular file")
    assert stat.S_ISFIFO(fifo.lstat().st_mode)


# Signals in the write phase (the test hook pauses between staging and replacing)


@pytest.mark.parametrize(
    "signum,code",
    [(signal.SIGTERM, 143), (signal.SIGHUP, 129), (signal.SIGINT, 130)],
    ids=["SIGTERM", "SIGHUP", "SIGINT"],
)
def test_signal_mid_write_leaves_no_temporary_file(tmp_path: Path, signum: int, code: int) -> None:
    paths = _manifests(tmp_path, 3)
    before = [path.read_bytes() for path in paths]
    marker = tmp_path / "staged"
    args = [*SIDECARCTL, "kube-inject", "--offline", "-q", "--in-place"] + [a for p in paths for a in ("-f", str(p))]
    proc = subprocess.Popen(
        args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**_env(), TEST_PAUSE_ENV: str(marker)}
    )
    _wait_for(marker, proc)
    assert len(_temporaries(tmp_path)) == 3  # the write phase really was under way
    proc.send_signal(signum)
    _, stderr = proc.communicate(timeout=WALL_SECONDS)
    assert proc.returncode == code, stderr
    assert b"Traceback" not in stderr
    assert _temporaries(tmp_path) == []
    assert [path.read_bytes() for path in paths] == before


def _wait_for(marker: Path, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + WALL_SECONDS  # a bound on a hang, not a timed assertion
    while not marker.exists():
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the write phase never started"
        time.sleep(0.05)


# A full disk, a file size limit


def _tmpfs(mount: Path, options: str) -> Iterator[Path]:
    mount.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(mount)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], capture_output=True)


@pytest.fixture
def small_tmpfs(tmp_path: Path) -> Iterator[Path]:
    yield from _tmpfs(tmp_path / "small", "size=64k")


@pytest.fixture
def read_only_tmpfs(tmp_path: Path) -> Iterator[Path]:
    yield from _tmpfs(tmp_path / "ro", "ro,size=64k")


def test_output_onto_a_read_only_file_system(tmp_path: Path, read_only_tmpfs: Path) -> None:
    source = tmp_path / "in.yaml"
    source.write_bytes(DEPLOYMENT)
    assert_error(
        kube_inject(source, "-q", "-o", str(read_only_tmpfs / "out.yaml")),
        "out.yaml",
        "Read-only file system",
        "write elsewhere",
    )


def _many(tmp_path: Path, count: int) -> Path:
    path = tmp_path / "many.yaml"
    path.write_bytes(b"---\n".join(DEPLOYMENT.replace(b"name: web\n", b"name: w%d\n" % i, 1) for i in range(count)))
    return path


def test_disk_full_under_output_file(tmp_path: Path, small_tmpfs: Path) -> None:
    target = small_tmpfs / "out.yaml"
    assert_error(kube_inject(_many(tmp_path, 40), "-q", "-o", str(target)), "out.yaml", "No space left on device")
    assert list(small_tmpfs.iterdir()) == []


def test_disk_full_under_in_place(tmp_path: Path, small_tmpfs: Path) -> None:
    source = _many(tmp_path, 40)
    inside = small_tmpfs / "many.yaml"
    inside.write_bytes(source.read_bytes())
    assert_error(_in_place(inside), "many.yaml", "No space left on device")
    assert inside.read_bytes() == source.read_bytes()
    assert [p.name for p in small_tmpfs.iterdir()] == ["many.yaml"]


def test_disk_full_under_stdout(tmp_path: Path, small_tmpfs: Path) -> None:
    source = _many(tmp_path, 40)
    with open(small_tmpfs / "redirected.yaml", "wb") as stdout:
        proc = subprocess.run(
            [*SIDECARCTL, "kube-inject", "--offline", "-q", "-f", str(source)],
            stdout=stdout,
            stderr=subprocess.PIPE,
            env=_env(),
            timeout=WALL_SECONDS,
        )
    assert proc.returncode == 1
    assert proc.stderr.decode().splitlines() == [
        "Error: write stdout: No space left on device (free some space or write elsewhere)"
    ]


def test_disk_full_under_tmpdir(tmp_path: Path, small_tmpfs: Path) -> None:
    """Past 1 MiB the output spools to an unnamed file in $TMPDIR."""
    result = run(["kube-inject", "--offline", "-q", "-f", str(_many(tmp_path, 400))], env={"TMPDIR": str(small_tmpfs)})
    assert_error(result, "temporary file", str(small_tmpfs), "No space left on device", "TMPDIR")


def _file_size_limit(limit: int) -> None:
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))


@pytest.mark.parametrize("to_stdout", [False, True], ids=["output-file", "stdout"])
def test_file_size_limit(tmp_path: Path, to_stdout: bool) -> None:
    """`ulimit -f`: SIGXFSZ is ignored by the interpreter, so the write fails with EFBIG."""
    source, target = _many(tmp_path, 40), tmp_path / "out.yaml"
    args = [*SIDECARCTL, "kube-inject", "--offline", "-q", "-f", str(source)]
    with open(target, "wb") as stdout:
        proc = subprocess.run(
            args if to_stdout else args + ["-o", str(target)],
            stdout=stdout,
            stderr=subprocess.PIPE,
            env=_env(),
            timeout=WALL_SECONDS,
            preexec_fn=lambda: _file_size_limit(8192),
        )
    assert_error(
        Result(proc.returncode, b"", proc.stderr), "stdout" if to_stdout else "out.yaml", "File too large", "ulimit -f"
    )
    assert _temporaries(tmp_path) == []


# -R over a loop


def test_recursive_over_a_directory_symlink_loop(tmp_path: Path) -> None:
    inner = tmp_path / "tree" / "inner"
    inner.mkdir(parents=True)
    (inner / "app.yaml").write_bytes(DEPLOYMENT)
    (inner / "back").symlink_to("..")
    result = run(["kube-inject", "--offline", "-q", "-R", "-f", str(tmp_path / "tree")])
    assert_error(result, "inner/back", "file system loop", "-R")


def test_recursive_over_a_self_link(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "app.yaml").write_bytes(DEPLOYMENT)
    (tree / "self.yaml").symlink_to("self.yaml")
    assert_error(
        run(["kube-inject", "--offline", "-q", "-R", "-f", str(tree)]), "self.yaml", "Too many levels of symbolic links"
    )


@pytest.mark.parametrize(
    "args",
    [["kube-inject", "--offline", "--diff"], ["check", "--offline"], ["uninject"], ["krm-fn"]],
    ids=["diff", "check", "uninject", "krm-fn"],
)
def test_every_command_with_stdout_closed_is_one_line(tmp_path: Path, args: list[str]) -> None:
    source = tmp_path / "in.yaml"
    source.write_bytes(DEPLOYMENT)
    stdin = b"apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: []\n"
    files = [] if args[0] == "krm-fn" else ["-f", str(source)]
    proc = subprocess.run(
        ["/bin/sh", "-c", 'exec "$@" >&-', "sh", *SIDECARCTL, *args, *files],
        input=stdin,
        stderr=subprocess.PIPE,
        env=_env(),
        timeout=WALL_SECONDS,
    )
    assert_error(Result(proc.returncode, b"", proc.stderr), "write stdout", "Bad file descriptor")
