"""Every fenced ```sh block of README.md and docs/*.md, run as written, so the docs cannot drift.

Each block runs with `bash -euo pipefail` in a fresh copy of the repository (without .git;
`.venv` a link to this venv, `../shared` beside it when the real one is there), so examples may
write files as a reader would. PATH starts with this venv's bin, then the folder the `kubectl` on PATH links into (where
the Google Cloud SDK keeps kubectl.1.NN and kpt); HOME is an empty temporary folder; sidecarctl's
and Istio's environment variables are cleared. A block preceded by its own line
`<!-- docs-runner: skip (REASON) -->` is reported as skipped with that reason (for steps that need
a live cluster). Other fences (```text, ```yaml, plain ```) are output or file contents, not run.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import NamedTuple

import pytest

from real_tools import kubectl_folder

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared"
SKIP = re.compile(r"<!-- docs-runner: skip \((?P<reason>.+)\) -->")
FENCE = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}|~{3,})(?P<info>.*)$")
IGNORED = shutil.ignore_patterns(".git", ".venv", "__pycache__", "*.egg-info", ".pytest_cache", "build")
TIMEOUT = 120  # a block is an example: one that runs for minutes belongs in CI or is marked


class Block(NamedTuple):
    path: str  # relative to the repository
    line: int  # the opening fence's line, from 1
    text: str
    skip: str | None  # the reason, when marked

    @property
    def id(self) -> str:
        return f"{self.path}:{self.line}"


def doc_files() -> list[Path]:
    return [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]


def blocks(path: Path, root: Path = REPO) -> list[Block]:
    """The ```sh blocks of one Markdown file, with the skip mark of the line just before each."""
    lines = path.read_text(encoding="utf-8").splitlines()
    found: list[Block] = []
    index = 0
    while index < len(lines):
        opening = FENCE.match(lines[index])
        if not opening:
            index += 1
            continue
        fence, info = opening["fence"], opening["info"].strip()
        end = index + 1
        while end < len(lines) and not (
            lines[end].strip().startswith(fence) and not lines[end].strip()[len(fence) :].strip()
        ):
            end += 1
        if info.split()[:1] == ["sh"]:
            previous = next((line for line in reversed(lines[:index]) if line.strip()), "")
            mark = SKIP.fullmatch(previous.strip())
            body = "\n".join(lines[index + 1 : end]) + "\n"
            found.append(Block(str(path.relative_to(root)), index + 1, body, mark["reason"] if mark else None))
        index = end + 1
    return found


BLOCKS = [block for path in doc_files() for block in blocks(path)]


def environment(home: Path) -> dict[str, str]:
    keep = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(
            ("SIDECARCTL_", "_SIDECARCTL", "KUBECONFIG", "KUSTOMIZE_", "ISTIO", "ENABLE_", "PYTEST", "NO_COLOR", "XDG_")
        )
    }
    folders = [str(Path(sys.executable).parent)]
    kubectl = kubectl_folder()
    if kubectl is not None:
        folders.append(str(kubectl))
    return {**keep, "HOME": str(home), "PATH": os.pathsep.join([*folders, os.environ.get("PATH", "")])}


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A copy of the repository to run in, `../shared` beside it when there is one."""
    copy = tmp_path / "repo"
    shutil.copytree(REPO, copy, ignore=IGNORED, symlinks=True)
    if SHARED.is_dir():
        (tmp_path / "shared").symlink_to(SHARED)
    if sys.prefix != sys.base_prefix:  # examples may name .venv/bin/... as a checkout has it
        (copy / ".venv").symlink_to(sys.prefix)
    (tmp_path / "home").mkdir()
    return copy


def test_the_docs_have_examples() -> None:
    assert len([block for block in BLOCKS if block.skip is None]) >= 10


@pytest.mark.parametrize("block", BLOCKS, ids=[block.id for block in BLOCKS])
def test_example_runs_as_written(block: Block, workspace: Path) -> None:
    if block.skip is not None:
        pytest.skip(f"{block.id}: {block.skip}")
    result = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", block.text],
        cwd=workspace,
        capture_output=True,
        text=True,
        env=environment(workspace.parent / "home"),
        stdin=subprocess.DEVNULL,
        timeout=TIMEOUT,
        check=False,
    )
    assert result.returncode == 0, (
        f"{block.id} exited {result.returncode}\n--- block\n{block.text}--- stdout\n"
        f"{result.stdout[-3000:]}\n--- stderr\n{result.stderr[-3000:]}"
    )


@pytest.mark.parametrize(
    "markdown,expected",
    [
        pytest.param("```sh\necho a\n```\n", [(1, "echo a\n", None)], id="one-block"),
        pytest.param(
            "<!-- docs-runner: skip (needs a cluster) -->\n```sh\nkubectl get po\n```\n",
            [(2, "kubectl get po\n", "needs a cluster")],
            id="marked",
        ),
        pytest.param(
            "<!-- docs-runner: skip (x) -->\n\n```sh\na\n```\n```sh\nb\n```\n",
            [(3, "a\n", "x"), (6, "b\n", None)],
            id="a-mark-covers-one-block",
        ),
        pytest.param("```text\nsidecarctl x\n```\n```yaml\na: 1\n```\n```\nplain\n```\n", [], id="not-sh"),
        pytest.param("````sh\n```sh\ninner\n```\n````\n", [(1, "```sh\ninner\n```\n", None)], id="longer-fence"),
        pytest.param("<!-- docs-runner: skip () -->\n```sh\na\n```\n", [(2, "a\n", None)], id="a-mark-needs-a-reason"),
    ],
)
def test_blocks_and_marks(tmp_path: Path, markdown: str, expected: list[tuple[int, str, str | None]]) -> None:
    page = tmp_path / "page.md"
    page.write_text(markdown, encoding="utf-8")
    assert [(block.line, block.text, block.skip) for block in blocks(page, tmp_path)] == expected
