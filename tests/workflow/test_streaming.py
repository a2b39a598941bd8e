"""The plain output is streamed through a spool: still all or nothing, still complete."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from workflow_support import POD, SERVICE, inject

from sidecarctl.workflow import spool
from sidecarctl.workflow.outputs import to_json

N = 300


def stream(n: int, last: str | None = None) -> str:
    docs = [POD.replace("name: p\n", f"name: p{i}\n") for i in range(n)]
    if last is not None:
        docs.append(last)
    return "---\n".join(docs)


@pytest.fixture(autouse=True)
def small_spool(monkeypatch: pytest.MonkeyPatch) -> None:
    """A spool that moves to a temporary file early, so both of its states are exercised."""
    monkeypatch.setattr(spool, "SPOOL_MEMORY", 4096)


@pytest.mark.parametrize("args", [[], ["--output-format", "json"]], ids=["yaml", "json"])
def test_a_failure_in_the_last_document_of_a_long_stream_writes_nothing(tmp_path: Path, args: list[str]) -> None:
    result = inject("-q", *args, stdin=stream(N, last="kind: Pod\nmetadata: [\n"))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert f"document {N + 1}" in result.stderr
    target = tmp_path / "out.yaml"
    result = inject("-q", *args, "-o", str(target), stdin=stream(N, last="kind: Pod\nmetadata: [\n"))
    assert result.exit_code == 1 and not target.exists() and list(tmp_path.iterdir()) == []


def test_a_long_stream_is_written_complete(tmp_path: Path) -> None:
    result = inject("-q", stdin=stream(N))
    assert result.exit_code == 0, result.stderr
    assert result.stdout.count("---\n") == N and result.stdout.count("name: istio-proxy\n") == N
    assert "name: p0\n" in result.stdout and f"name: p{N - 1}\n" in result.stdout
    target = tmp_path / "out.yaml"
    assert inject("-q", "-o", str(target), stdin=stream(N)).exit_code == 0
    assert target.read_text() == result.stdout
    as_json = inject("-q", "--output-format", "json", stdin=stream(N) + "---\n" + SERVICE)
    assert as_json.stdout == to_json(result.stdout + SERVICE + "---\n")
    assert len(json.loads(as_json.stdout)["items"]) == N + 1


def test_summary_names_every_workload_of_a_long_stream() -> None:
    result = inject(stdin=stream(N))
    assert f"{N} workloads: {N} injected, 0 skipped" in result.stderr


@pytest.mark.parametrize("tmpdir", [None, "missing"], ids=["tmpdir", "tmpdir-missing"])
def test_spool_moves_to_a_temporary_file_past_its_limit_and_keeps_every_byte(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tmpdir: str | None
) -> None:
    monkeypatch.setenv("TMPDIR", str(tmp_path / (tmpdir or "")))  # missing: tempfile finds another directory
    s = spool.Spool(limit=10)
    s.write(b"0123456789")
    assert not s.on_disk
    s.write(b"abc")
    assert s.on_disk and s.tell() == 13
    s.write(b"def")
    s.seek(8)
    assert s.read(4) == b"89ab"
    s.seek(0)
    assert s.read() == b"0123456789abcdef"
    s.close()
    assert list(tmp_path.iterdir()) == []  # the file had no name


# --- a file is read line by line, never whole: the same bytes and errors as reading it whole ----------------
# `--diff` still reads its inputs whole and reports errors the same way, so its stderr is the reference.

DNS_POD = POD.replace("spec:\n", "spec:\n  dnsPolicy: Default\n")  # logs a warning as soon as it is injected


def write(path: Path, data: bytes) -> str:
    path.write_bytes(data)
    return str(path)


def assert_refused_like_a_file_read_whole(path: str, expected: str, tmp_path: Path) -> None:
    plain, whole = inject("-q", "-f", path), inject("-q", "--diff", "-f", path)
    assert plain.exit_code == whole.exit_code == 1
    assert plain.stdout == "" and plain.stderr == whole.stderr == f"Error: {expected}\n"
    target = tmp_path / "out.yaml"
    assert inject("-q", "-f", path, "-o", str(target)).exit_code == 1 and not target.exists()


def test_a_streamed_file_gives_the_output_of_the_same_stream_read_whole(tmp_path: Path) -> None:
    text = "\ufeff" + stream(N).replace("\n", "\r\n") + "---\r\n# a comment\r\n--- # end\r\n" + SERVICE.rstrip("\n")
    path = write(tmp_path / "in.yaml", text.encode("utf-8"))
    result = inject("-q", "-f", path)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == inject("-q", stdin=text).stdout
    assert result.stdout.count("name: istio-proxy\n") == N


def test_a_bad_separator_late_in_a_file_is_reported_before_any_document_is_injected(tmp_path: Path) -> None:
    docs = stream(N).replace(POD, DNS_POD, 1) + "--- x\n" + POD
    path = write(tmp_path / "in.yaml", docs.encode("utf-8"))
    line = docs.count("\n", 0, docs.index("--- x")) + 1
    assert_refused_like_a_file_read_whole(path, f"{path}:{line}: invalid Yaml document separator: x", tmp_path)


def test_invalid_utf8_in_a_late_document_is_reported_as_for_the_whole_file(tmp_path: Path) -> None:
    from sidecarctl.errors import InputError
    from sidecarctl.workflow.inputs import decode

    data = (stream(N).replace(POD, DNS_POD, 1) + "---\n" + POD).encode("utf-8")
    data = data[: -len("nginx\n")] + b"ng\xe9inx\n"  # in the last document
    path = write(tmp_path / "in.yaml", data)
    with pytest.raises(InputError) as whole:
        decode(data, path)
    assert_refused_like_a_file_read_whole(path, str(whole.value), tmp_path)


def test_an_unreadable_later_file_is_reported_before_an_earlier_file_fails(tmp_path: Path) -> None:
    broken = write(tmp_path / "a.yaml", b"kind: Pod\nmetadata: [\n")
    undecodable = write(tmp_path / "b.yaml", POD.encode("utf-8") + b"---\n# \xff\n")
    result = inject("-q", "-f", broken, "-f", undecodable)
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr == f"Error: {undecodable}:10:3: not UTF-8 text (byte {len(POD) + 6})\n"
    assert inject("-q", "-f", broken, "-f", str(tmp_path / "missing.yaml")).stderr.startswith(
        f"Error: open {tmp_path / 'missing.yaml'}: "
    )


@pytest.fixture
def one_mib_cap(monkeypatch: pytest.MonkeyPatch) -> int:
    from sidecarctl import limits

    monkeypatch.setattr(limits, "MAX_INPUT_BYTES", 1 << 20)
    return 1 << 20


def test_a_file_of_exactly_the_cap_is_read_and_one_byte_more_is_refused(tmp_path: Path, one_mib_cap: int) -> None:
    body = (stream(N) + "---\n# ").encode("utf-8")
    exact = body + b"x" * (one_mib_cap - len(body) - 1) + b"\n"
    path = write(tmp_path / "in.yaml", exact)
    result = inject("-q", "-f", path)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.count("name: istio-proxy\n") == N
    path = write(tmp_path / "in.yaml", exact + b"\n")
    assert_refused_like_a_file_read_whole(
        path, f"{path}: input larger than 1 MiB (sidecarctl's limit; split the stream)", tmp_path
    )


def test_a_file_over_the_cap_is_refused_for_its_size_before_its_bytes_are_judged(
    tmp_path: Path, one_mib_cap: int
) -> None:
    path = write(tmp_path / "in.yaml", b"# \xff\n" + b"#" * one_mib_cap + b"\n")
    assert_refused_like_a_file_read_whole(
        path, f"{path}: input larger than 1 MiB (sidecarctl's limit; split the stream)", tmp_path
    )


def test_a_pipe_given_as_a_file_is_read_once(tmp_path: Path) -> None:
    import os
    import threading

    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    writer = threading.Thread(target=fifo.write_text, args=(stream(3),))
    writer.start()
    result = inject("-q", "-f", str(fifo))
    writer.join()
    assert result.exit_code == 0, result.stderr
    assert result.stdout == inject("-q", stdin=stream(3)).stdout


def test_a_streamed_file_is_not_held_and_its_blocks_end_at_line_ends(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sidecarctl.workflow import inputs

    monkeypatch.setattr(inputs, "BLOCK_BYTES", 5)
    text = "a: 1\r\n---\nb: \u00e9\u00e9\u00e9\u00e9\u20ac\nc: 3"
    path = write(tmp_path / "in.yaml", text.encode("utf-8"))
    (streamed,) = inputs.collect_sources([path], streamed=True)
    assert streamed.text == "" and streamed.pieces is not None
    pieces = list(streamed.pieces())
    assert "".join(pieces) == text and all(piece.endswith("\n") for piece in pieces[:-1])
    assert inputs.collect_sources([path]) == [(path, text, path, None)]


@pytest.mark.parametrize("block", [1, 7, 64, 1 << 16])
def test_invalid_utf8_is_placed_as_in_the_whole_file_whatever_the_block_size(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, block: int
) -> None:
    from sidecarctl.errors import InputError
    from sidecarctl.workflow import inputs

    monkeypatch.setattr(inputs, "BLOCK_BYTES", block)
    for bad in (b"\xff", b"\xe2\x82", b"\xe2\x82\n", b"\xed\xa0\x80", b"\xc3"):
        data = "a: \u00e9\r\n---\nb: x\u20acy\n".encode("utf-8") * 20 + b"c: " + bad + b"z\n" + b"d: 4\n"
        path = write(tmp_path / "in.yaml", data)
        with pytest.raises(InputError) as whole:
            inputs.decode(data, path)
        with pytest.raises(InputError) as checked:
            inputs.check_file(path)
        with pytest.raises(InputError) as read:
            list(inputs.file_text(path))
        assert str(checked.value) == str(read.value) == str(whole.value)
