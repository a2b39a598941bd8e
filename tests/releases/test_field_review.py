"""Edge cases found trying --istio-version and release detection as a new user would."""

from __future__ import annotations

from pathlib import Path

import pytest

from sidecarctl.config import load_settings

REPO = Path(__file__).resolve().parents[2]
DEFAULTS = REPO / "sidecarctl" / "defaults"


@pytest.mark.parametrize("version", ["1.28.10", "1.29.6"])
def test_offline_pieces_follow_the_release_a_given_values_file_is_for(version: str) -> None:
    # --offline --valuesFile <a 1.28 install's values>: the values say 1.28, so the built-in
    # templates and mesh must be 1.28's too (1.30's templates call a function 1.28 lacks).
    settings = load_settings(values_file=str(DEFAULTS / version / "values.json"), offline=True)
    assert settings.release.version == version
    assert settings.sources["config"] == f"built-in {version}/inject-config.yaml"
    assert settings.sources["mesh"].startswith(f"built-in {version}/")


def test_newer_templates_with_an_older_release_say_which_release_they_need() -> None:
    # 1.30's templates with --istio-version 1.28 fail as istioctl 1.28 fails on them; the advice
    # must point at the release, not at "fix the injection template" the user did not write.
    from sidecarctl.errors import ConfigError

    with pytest.raises(ConfigError) as info:
        load_settings(
            inject_config_file=str(DEFAULTS / "1.30.3" / "inject-config.yaml"), offline=True, istio_version="1.28"
        )
    message = str(info.value)
    assert 'function "otelResourceAttributes" not defined' in message
    assert "Istio 1.30" in message and "--istio-version" in message and "\n" not in message


def _generator():  # type: ignore[no-untyped-def]
    import importlib
    import sys

    sys.path.insert(0, str(REPO / "hack"))
    try:
        return importlib.import_module("istio_release")
    finally:
        sys.path.remove(str(REPO / "hack"))


@pytest.mark.parametrize(
    "added,want",
    [
        ("1.28.11", '("1.28.11", "1.29.6", "1.30.3")'),
        ("1.31.0", '("1.28.10", "1.29.6", "1.30.3", "1.31.0")'),
    ],
    ids=["newer-patch-replaces", "new-minor"],
)
def test_register_release(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, added: str, want: str) -> None:
    gen = _generator()
    module = tmp_path / "releases.py"
    module.write_text('SUPPORTED: tuple[str, ...] = ("1.28.10", "1.29.6", "1.30.3")\n', encoding="utf-8")
    monkeypatch.setattr(gen, "RELEASES_MODULE", module)
    assert gen.register_release(added)
    assert module.read_text(encoding="utf-8") == f"SUPPORTED: tuple[str, ...] = {want}\n"


def test_an_older_patch_does_not_replace_a_newer_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # `add 1.28.9` used to swap 1.28.10 out of SUPPORTED silently (its defaults and suite left behind).
    gen = _generator()
    module = tmp_path / "releases.py"
    text = 'SUPPORTED: tuple[str, ...] = ("1.28.10", "1.29.6", "1.30.3")\n'
    module.write_text(text, encoding="utf-8")
    monkeypatch.setattr(gen, "RELEASES_MODULE", module)
    with pytest.raises(gen.ReleaseError, match="1.28.10 is newer"):
        gen.register_release("1.28.9")
    assert module.read_text(encoding="utf-8") == text


def test_a_failed_suite_build_leaves_the_suite_as_it_was(tmp_path: Path) -> None:
    # `suite R --istio-git <wrong dir>` used to delete the committed suite first, and for a new R left
    # an empty istio-R/cases/ behind, which breaks tests/releases/test_suites.py's collection.
    gen = _generator()
    suites = tmp_path / "conformance"
    kept = suites / "istio-1.28.10"
    (kept / "cases").mkdir(parents=True)
    (kept / "cases.yaml").write_text("- name: kept\n", encoding="utf-8")
    for out in (kept, suites / "istio-1.27.0"):
        with pytest.raises(gen.ReleaseError):
            gen.build_suite(tmp_path / "no-such-clone", out.name.removeprefix("istio-"), out)
    assert sorted(p.name for p in suites.iterdir()) == ["istio-1.28.10"]
    assert (kept / "cases.yaml").read_text(encoding="utf-8") == "- name: kept\n"
