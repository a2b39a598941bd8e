"""The on-disk cache of parse trees: same results with and without it, never trusted blindly."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
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
    assert len(list(cache_dir.glob("*.json"))) == 1
    assert render() == expected  # hit


def test_corrupt_or_foreign_entries_are_ignored_and_rewritten(cache_dir: Path) -> None:
    expected = render()
    (entry,) = cache_dir.glob("*.json")
    entry.write_bytes(b"not an entry")
    assert render() == expected  # corrupt: parsed again and rewritten
    assert entry.read_bytes() != b"not an entry"
    render("{{ .name }}")
    (second,) = set(cache_dir.glob("*.json")) - {entry}
    entry.write_bytes(second.read_bytes())  # a valid entry for another text under this key
    assert render() == expected


def test_parse_errors_are_never_cached(cache_dir: Path) -> None:
    for _ in range(2):
        with pytest.raises(ParseError, match='function "nosuch" not defined'):
            render("{{ nosuch }}")
    assert not list(cache_dir.glob("*.json"))


def test_disabled_by_env(cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SIDECARCTL_NO_CACHE", "1")
    render()
    assert not list(cache_dir.glob("*.json"))


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
    assert 1 <= len(list(cache_dir.glob("*.json"))) <= 4
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
    for entry in cache_dir.glob("*.json"):
        entry.unlink()
    assert tmpl.execute(DATA) == expected
    assert len(list(cache_dir.glob("*.json"))) == 1  # and stored again


# --- data only, checked before use ---------------------------------------------------------------


def test_stored_trees_come_back_equal(cache_dir: Path) -> None:
    from sidecarctl.gotemplate.builtins import BUILTINS
    from sidecarctl.gotemplate.parser import parse_trees

    text = (
        '{{ define "t" }}{{ range $i, $v := .l }}{{ if and (eq $i 1) (ne $v nil) }}{{ 1.5e3 }}{{ 0x1F }}'
        '{{ 2i }}{{ else }}{{ .a.b | printf "%q" }}{{ end }}{{ break }}{{ end }}{{ end }}{{ with $x := "s" }}'
        '{{ template "t" $x }}{{ end }}{{/* c */}}{{ (.f).g }}{{ true }}'
    )
    trees = parse_trees("inject", text, BUILTINS)
    cache_key = diskcache.key(text, "inject", BUILTINS)
    diskcache.store(cache_key, text, trees)
    back = diskcache.load(cache_key, text)
    assert back is not None and sorted(back) == sorted(trees)
    for name, tree in trees.items():
        assert repr(back[name].root) == repr(tree.root) and back[name].text == text


class Exploit:
    """Unpickling this runs code: it creates the marker file."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.system, (f"touch {self.marker}",))


def test_a_planted_pickle_is_never_loaded(cache_dir: Path, tmp_path: Path) -> None:
    """Planted under the entry's name for both formats (old `.pickle`, new `.json`, with and
    without the header), in a folder that passes the owner/mode checks: never unpickled, in this
    process or a fresh one."""
    proof = tmp_path / "proof"
    pickle.loads(pickle.dumps(Exploit(proof)))  # the payload is live: unpickling it runs code
    assert proof.exists()
    expected = render()
    marker = tmp_path / "pwned"
    payload = pickle.dumps(Exploit(marker))
    script = (
        "from sidecarctl import gotemplate as g; "
        f"print(g.parse({TEXT!r}, funcs=g.funcmap('istio'), persist=True).execute({DATA!r}), end='')"
    )
    (entry,) = cache_dir.glob("*.json")
    for planted in (payload, shared_cache.HEADER + payload):
        entry.write_bytes(planted)
        entry.with_suffix(".pickle").write_bytes(payload)
        assert render() == expected
        entry.write_bytes(planted)
        fresh = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
        assert fresh.stdout == expected and fresh.stderr == ""
    assert not marker.exists()


def _fresh_checks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shared_cache, "_checked", {})
    monkeypatch.setattr(shared_cache, "_warned", False)


@pytest.mark.skipif(os.geteuid() != 0, reason="chown to another user needs root")
def test_a_folder_owned_by_another_user_is_ignored_with_one_warning(
    cache_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    expected = render()
    (entry,) = cache_dir.glob("*.json")
    os.chown(cache_dir, 65534, 65534)
    _fresh_checks(monkeypatch)
    gotemplate._CACHE.clear()
    assert not diskcache.exists(entry.stem) and diskcache.load(entry.stem, TEXT) is None
    assert render() == expected and render() == expected
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "owned by uid 65534" in err and "not used" in err, err


@pytest.mark.skipif(os.geteuid() != 0, reason="chown to another user needs root")
def test_an_entry_owned_by_another_user_is_ignored(cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    render()
    (entry,) = cache_dir.glob("*.json")
    os.chown(entry, 65534, 65534)
    assert diskcache.load(entry.stem, TEXT) is None


@pytest.mark.parametrize("mode", [0o770, 0o707, 0o777], ids=["group-writable", "other-writable", "world-writable"])
def test_a_folder_others_can_write_is_ignored(
    cache_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], mode: int
) -> None:
    expected = render()
    (entry,) = cache_dir.glob("*.json")
    cache_dir.chmod(mode)
    _fresh_checks(monkeypatch)
    assert diskcache.load(entry.stem, TEXT) is None
    assert render() == expected
    assert "writable by group or others" in capsys.readouterr().err


def test_an_entry_others_can_write_or_a_link_is_ignored(cache_dir: Path, tmp_path: Path) -> None:
    render()
    (entry,) = cache_dir.glob("*.json")
    assert diskcache.load(entry.stem, TEXT) is not None
    entry.chmod(0o666)
    assert diskcache.load(entry.stem, TEXT) is None
    entry.chmod(0o600)
    target = tmp_path / "elsewhere.json"
    target.write_bytes(entry.read_bytes())
    entry.unlink()
    entry.symlink_to(target)
    assert diskcache.load(entry.stem, TEXT) is None


def test_entries_are_versioned_private_and_bounded(cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    render()
    (entry,) = cache_dir.glob("*.json")
    data = entry.read_bytes()
    assert data.startswith(b"sidecarctl-cache 3\n") and entry.stat().st_mode & 0o777 == 0o600
    assert cache_dir.stat().st_mode & 0o777 == 0o700
    entry.write_bytes(data.replace(b"sidecarctl-cache 3", b"sidecarctl-cache 2"))
    assert diskcache.load(entry.stem, TEXT) is None
    entry.write_bytes(data)
    monkeypatch.setattr(shared_cache, "MAX_ENTRY_BYTES", len(data) - 1)
    assert diskcache.load(entry.stem, TEXT) is None
    monkeypatch.setattr(shared_cache, "MAX_ENTRY_BYTES", len(data))
    assert diskcache.load(entry.stem, TEXT) is not None


@pytest.mark.parametrize(
    "value,stored",
    [
        (({"a": [1, 2.5, None, True, "é\udcff"]},), True),
        ({1: "int key"}, False),
        ({"set": {1, 2}}, False),
        (float("nan"), True),
    ],
    ids=["plain", "int-key", "set", "nan"],
)
def test_only_plain_data_is_stored(tmp_path: Path, value: object, stored: bool) -> None:
    shared_cache.store("yaml", "k", "text", value)
    back = shared_cache.load("yaml", "k", "text")
    assert (back is not None) == stored
    if stored and isinstance(value, tuple):
        assert back == [value[0]]


def test_an_entry_that_is_a_fifo_is_ignored_without_blocking(cache_dir: Path) -> None:
    """A restored cache can hold a FIFO under an entry's name: opening it for reading blocked
    kube-inject until some writer came (forever). The 30 s join only keeps a failing run bounded."""
    import threading

    render()
    (entry,) = cache_dir.glob("*.json")
    entry.unlink()
    os.mkfifo(entry, 0o600)
    results: list[object] = []
    reader = threading.Thread(target=lambda: results.append(shared_cache.load("templates", entry.stem, TEXT)))
    reader.start()
    reader.join(30)
    blocked = reader.is_alive()
    if blocked:  # release the blocked open, then fail
        os.close(os.open(entry, os.O_WRONLY | os.O_NONBLOCK))
        reader.join()
    assert not blocked and results == [None]
    assert render() == gotemplate.parse(TEXT, funcs=funcmap("istio")).execute(DATA)


def test_a_crafted_entry_whose_trees_do_not_compile_is_parsed_again(cache_dir: Path) -> None:
    """An entry is data only, but a crafted one can put a node where another kind belongs (an
    action as an action's pipeline): compiling it raised Python's AttributeError or KeyError with
    a traceback. Trees from the cache that do not compile are a damaged entry: parsed afresh."""
    import json

    expected = render()
    (entry,) = cache_dir.glob("*.json")
    header, body = entry.read_bytes().split(b"\n", 1)
    stored = json.loads(body)
    action, pipe = shared_cache_nodes(stored["value"])
    action[action.index(pipe)] = json.loads(json.dumps(action))  # the action as its own pipeline
    entry.write_bytes(header + b"\n" + json.dumps(stored).encode())
    assert render() == expected
    assert b'"key"' in entry.read_bytes() and json.loads(entry.read_bytes().split(b"\n", 1)[1]) != stored


def shared_cache_nodes(value: object) -> tuple[list[object], list[object]]:
    """The first stored action node (class 14) and its pipeline (class 12)."""
    todo = [value]
    while todo:
        v = todo.pop()
        if isinstance(v, list):
            if v and v[0] == 14 and any(isinstance(x, list) and x and x[0] == 12 for x in v[1:]):
                return v, next(x for x in v[1:] if isinstance(x, list) and x and x[0] == 12)
            todo.extend(v)
    raise AssertionError("no action node stored")


def test_a_crafted_entry_with_a_field_of_the_wrong_type_is_parsed_again(cache_dir: Path) -> None:
    """A text node's text stored as a list of strings passed the data-only check and failed when
    the output was joined, with a traceback."""
    import json

    expected = render()
    (entry,) = cache_dir.glob("*.json")
    header, body = entry.read_bytes().split(b"\n", 1)
    stored = json.loads(body)
    todo: list[object] = [stored["value"]]
    while todo:
        v = todo.pop()
        if isinstance(v, list):
            if v and v[0] == 0 and len(v) == 3 and isinstance(v[2], str):  # [TextNode, pos, text]
                v[2] = [v[2]]
                break
            todo.extend(v)
    else:
        raise AssertionError("no text node stored")
    entry.write_bytes(header + b"\n" + json.dumps(stored).encode())
    assert render() == expected
