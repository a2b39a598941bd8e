"""The on-disk cache of parse trees: same results with and without it, never trusted blindly."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from sidecarctl import diskcache as shared_cache
from sidecarctl import gotemplate
from sidecarctl.gotemplate import ParseError, diskcache, funcmap

TEXT = '{{ define "x" }}[{{ . | upper }}]{{ end }}{{ template "x" .name }} {{ toJson .list }}'
DATA = {"name": "web", "list": [1, "a"]}


@pytest.fixture(autouse=True)
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SIDECARCTL_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv("SIDECARCTL_NO_CACHE", raising=False)
    gotemplate._CACHE.clear()
    return tmp_path / "templates"


def render(text: str = TEXT) -> str:
    gotemplate._CACHE.clear()  # the in-memory cache would hide the disk
    return gotemplate.parse(text, funcs=funcmap("istio"), persist=True).execute(DATA)


def test_hit_renders_as_a_fresh_parse(cache_dir: Path) -> None:
    expected = gotemplate.parse(TEXT, funcs=funcmap("istio")).execute(DATA)
    assert render() == expected  # miss: parsed and stored
    assert len(list(cache_dir.glob("*.pickle"))) == 1
    assert render() == expected  # hit


def test_corrupt_or_foreign_entries_are_ignored_and_rewritten(cache_dir: Path) -> None:
    expected = render()
    (entry,) = cache_dir.glob("*.pickle")
    entry.write_bytes(b"not a pickle")
    assert render() == expected  # corrupt: parsed again and rewritten
    assert entry.read_bytes() != b"not a pickle"
    render("{{ .name }}")
    (second,) = set(cache_dir.glob("*.pickle")) - {entry}
    entry.write_bytes(second.read_bytes())  # a valid entry for another text under this key
    assert render() == expected


def test_parse_errors_are_never_cached(cache_dir: Path) -> None:
    for _ in range(2):
        with pytest.raises(ParseError, match="function \"nosuch\" not defined"):
            render("{{ nosuch }}")
    assert not list(cache_dir.glob("*.pickle"))


def test_disabled_by_env(cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SIDECARCTL_NO_CACHE", "1")
    render()
    assert not list(cache_dir.glob("*.pickle"))


def test_unwritable_directory_is_no_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tmp_path.mkdir(parents=True, exist_ok=True)
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv("SIDECARCTL_CACHE_DIR", str(blocker / "sub"))
    assert render() == render()


def test_key_depends_on_text_name_and_functions() -> None:
    base = diskcache.key("a", "inject", ["f"])
    assert base != diskcache.key("b", "inject", ["f"])
    assert base != diskcache.key("a", "other", ["f"])
    assert base != diskcache.key("a", "inject", ["f", "g"])
    assert diskcache.directory() == os.path.join(os.environ["SIDECARCTL_CACHE_DIR"], "templates")


def test_directory_stays_bounded(cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shared_cache, "MAX_ENTRIES", 4)
    for i in range(10):
        render("{{ .name }}" + str(i))
    assert 1 <= len(list(cache_dir.glob("*.pickle"))) <= 4
    assert render() == render()  # the newest entries are still usable


def test_a_hit_reads_the_trees_only_when_executed(cache_dir: Path) -> None:
    expected = render()
    gotemplate._CACHE.clear()
    tmpl = gotemplate.parse(TEXT, funcs=funcmap("istio"), persist=True)
    assert tmpl._trees is None  # known to parse: nothing read yet
    assert tmpl.execute(DATA) == expected
    assert tmpl.defined_templates() == ["inject", "x"]


def test_an_entry_removed_after_the_check_is_parsed_again(cache_dir: Path) -> None:
    expected = render()
    gotemplate._CACHE.clear()
    tmpl = gotemplate.parse(TEXT, funcs=funcmap("istio"), persist=True)
    for entry in cache_dir.glob("*.pickle"):
        entry.unlink()
    assert tmpl.execute(DATA) == expected
    assert len(list(cache_dir.glob("*.pickle"))) == 1  # and stored again
