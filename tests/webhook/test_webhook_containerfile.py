"""The Containerfile's promises, checked without building it (the build itself: test_webhook_image.py)."""

from __future__ import annotations

import re
from pathlib import Path

from sidecarctl.webhook.manifests import RUN_AS

ROOT = Path(__file__).resolve().parents[2]
CONTAINERFILE = (ROOT / "Containerfile").read_text()


def instructions(name: str) -> list[str]:
    return re.findall(rf"^{name} (.+)$", CONTAINERFILE, re.MULTILINE)


def test_base_is_pinned_to_a_python_patch_release() -> None:
    assert instructions("ARG") == ["BASE=docker.io/library/python:3.11.14-slim-bookworm"]
    assert re.fullmatch(r"BASE=\S+:3\.\d+\.\d+-slim-\w+", instructions("ARG")[0])
    assert instructions("FROM") == ["${BASE} AS build", "${BASE}"]


def test_runs_as_the_user_the_manifests_expect() -> None:
    assert instructions("USER") == [f"{RUN_AS}:{RUN_AS}"]  # numeric, so runAsNonRoot can verify it
    assert f"--uid {RUN_AS}" in CONTAINERFILE


def test_sidecarctl_is_the_entrypoint_installed_from_the_checkout() -> None:
    assert instructions("ENTRYPOINT") == ['["/opt/sidecarctl/bin/sidecarctl"]']
    assert "COPY sidecarctl /src/sidecarctl" in CONTAINERFILE
    assert "pip install --no-cache-dir --disable-pip-version-check /src" in CONTAINERFILE
    assert not re.search(r"pip install [^\n]*\bsidecarctl\b(?!/)", CONTAINERFILE)  # never from an index


def test_build_context_leaves_out_the_local_venv_and_git() -> None:
    ignored = (ROOT / ".containerignore").read_text().split()
    assert {".git", ".venv"} <= set(ignored)
