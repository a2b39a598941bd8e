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


def test_spool_moves_to_a_temporary_file_past_its_limit_and_keeps_every_byte() -> None:
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
