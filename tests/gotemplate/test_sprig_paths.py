"""Sprig paths functions against Go: path/filepath functions and urlParse/urlJoin (Go's net/url).

Each row calls SPRIG_FUNCS[name](*args) directly; `expected` is what Go 1.19 + Sprig 3.2.3 (the
oracle in shared/gotemplate-oracle) printed for the same call: `v` is `{{ name args }}`, `type`
is `typeOf`, `kind` is `kindOf`, `json` is `toJson` of the result; `err` rows hold the text after
`error calling name: `. Regenerate expectations with the oracle when a row is added."""

from __future__ import annotations

from typing import Any

import pytest

from sidecarctl.gotemplate.gotypes import GoError, GoMap, GoSlice, Int64, Uint8, format_v, kind_name, type_name
from sidecarctl.gotemplate.sprig import SPRIG_FUNCS
from sidecarctl.gotemplate.sprig._util import NilList


@pytest.fixture(autouse=True)
def _utc(monkeypatch: pytest.MonkeyPatch) -> None:
    # The oracle ran with TZ=UTC, as the corpus runner does; time.Local follows $TZ.
    monkeypatch.setenv("TZ", "UTC")


def render(kind: str, name: str, result: Any) -> str:
    if kind == "type":
        return type_name(result)
    if kind == "kind":
        return kind_name(result)
    if kind == "json":
        return SPRIG_FUNCS["toJson"](result)
    if result is None and SPRIG_FUNCS[name].result == "interface {}":
        return "<no value>"  # Go's executor drops a nil interface result to an invalid value
    return format_v(result)


class Lazy:
    """An argument computed when the test runs, e.g. a time.Time in the zone $TZ names then."""

    def __init__(self, make: Any) -> None:
        self.make = make


def check(kind: str, name: str, args: list[Any], status: str, expected: str) -> None:
    func = SPRIG_FUNCS[name]
    args = [a.make() if isinstance(a, Lazy) else a for a in args]
    if status == "err":
        with pytest.raises(GoError) as info:
            func(*args)
        assert str(info.value) == expected
        return
    assert render(kind, name, func(*args)) == expected


_ = (GoMap, GoSlice, Int64, Uint8, NilList)

CASES = [
    pytest.param('v', 'base', [''], 'ok', '.', id='base-0'),
    pytest.param('v', 'base', ['/'], 'ok', '/', id='base-1'),
    pytest.param('v', 'base', ['a//b/../c/'], 'ok', 'c', id='base-2'),
    pytest.param('v', 'base', ['/a/b.tar.gz'], 'ok', 'b.tar.gz', id='base-3'),
    pytest.param('v', 'base', ['//x'], 'ok', 'x', id='base-4'),
    pytest.param('v', 'base', ['../../a/./b'], 'ok', 'b', id='base-5'),
    pytest.param('v', 'base', ['a/b/'], 'ok', 'b', id='base-6'),
    pytest.param('v', 'base', ['.hidden'], 'ok', '.hidden', id='base-7'),
    pytest.param('v', 'base', ['x.'], 'ok', 'x.', id='base-8'),
    pytest.param('v', 'dir', [''], 'ok', '.', id='dir-0'),
    pytest.param('v', 'dir', ['/'], 'ok', '/', id='dir-1'),
    pytest.param('v', 'dir', ['a//b/../c/'], 'ok', 'a/c', id='dir-2'),
    pytest.param('v', 'dir', ['/a/b.tar.gz'], 'ok', '/a', id='dir-3'),
    pytest.param('v', 'dir', ['//x'], 'ok', '/', id='dir-4'),
    pytest.param('v', 'dir', ['../../a/./b'], 'ok', '../../a', id='dir-5'),
    pytest.param('v', 'dir', ['a/b/'], 'ok', 'a/b', id='dir-6'),
    pytest.param('v', 'dir', ['.hidden'], 'ok', '.', id='dir-7'),
    pytest.param('v', 'dir', ['x.'], 'ok', '.', id='dir-8'),
    pytest.param('v', 'clean', [''], 'ok', '.', id='clean-0'),
    pytest.param('v', 'clean', ['/'], 'ok', '/', id='clean-1'),
    pytest.param('v', 'clean', ['a//b/../c/'], 'ok', 'a/c', id='clean-2'),
    pytest.param('v', 'clean', ['/a/b.tar.gz'], 'ok', '/a/b.tar.gz', id='clean-3'),
    pytest.param('v', 'clean', ['//x'], 'ok', '/x', id='clean-4'),
    pytest.param('v', 'clean', ['../../a/./b'], 'ok', '../../a/b', id='clean-5'),
    pytest.param('v', 'clean', ['a/b/'], 'ok', 'a/b', id='clean-6'),
    pytest.param('v', 'clean', ['.hidden'], 'ok', '.hidden', id='clean-7'),
    pytest.param('v', 'clean', ['x.'], 'ok', 'x.', id='clean-8'),
    pytest.param('v', 'ext', [''], 'ok', '', id='ext-0'),
    pytest.param('v', 'ext', ['/'], 'ok', '', id='ext-1'),
    pytest.param('v', 'ext', ['a//b/../c/'], 'ok', '', id='ext-2'),
    pytest.param('v', 'ext', ['/a/b.tar.gz'], 'ok', '.gz', id='ext-3'),
    pytest.param('v', 'ext', ['//x'], 'ok', '', id='ext-4'),
    pytest.param('v', 'ext', ['../../a/./b'], 'ok', '', id='ext-5'),
    pytest.param('v', 'ext', ['a/b/'], 'ok', '', id='ext-6'),
    pytest.param('v', 'ext', ['.hidden'], 'ok', '.hidden', id='ext-7'),
    pytest.param('v', 'ext', ['x.'], 'ok', '.', id='ext-8'),
    pytest.param('v', 'isAbs', [''], 'ok', 'false', id='isAbs-0'),
    pytest.param('v', 'isAbs', ['/'], 'ok', 'true', id='isAbs-1'),
    pytest.param('v', 'isAbs', ['a//b/../c/'], 'ok', 'false', id='isAbs-2'),
    pytest.param('v', 'isAbs', ['/a/b.tar.gz'], 'ok', 'true', id='isAbs-3'),
    pytest.param('v', 'isAbs', ['//x'], 'ok', 'true', id='isAbs-4'),
    pytest.param('v', 'isAbs', ['../../a/./b'], 'ok', 'false', id='isAbs-5'),
    pytest.param('v', 'isAbs', ['a/b/'], 'ok', 'false', id='isAbs-6'),
    pytest.param('v', 'isAbs', ['.hidden'], 'ok', 'false', id='isAbs-7'),
    pytest.param('v', 'isAbs', ['x.'], 'ok', 'false', id='isAbs-8'),
    pytest.param('v', 'osBase', [''], 'ok', '.', id='osBase-0'),
    pytest.param('v', 'osBase', ['/'], 'ok', '/', id='osBase-1'),
    pytest.param('v', 'osBase', ['a//b/../c/'], 'ok', 'c', id='osBase-2'),
    pytest.param('v', 'osBase', ['/a/b.tar.gz'], 'ok', 'b.tar.gz', id='osBase-3'),
    pytest.param('v', 'osBase', ['//x'], 'ok', 'x', id='osBase-4'),
    pytest.param('v', 'osBase', ['../../a/./b'], 'ok', 'b', id='osBase-5'),
    pytest.param('v', 'osBase', ['a/b/'], 'ok', 'b', id='osBase-6'),
    pytest.param('v', 'osBase', ['.hidden'], 'ok', '.hidden', id='osBase-7'),
    pytest.param('v', 'osBase', ['x.'], 'ok', 'x.', id='osBase-8'),
    pytest.param('v', 'osDir', [''], 'ok', '.', id='osDir-0'),
    pytest.param('v', 'osDir', ['/'], 'ok', '/', id='osDir-1'),
    pytest.param('v', 'osDir', ['a//b/../c/'], 'ok', 'a/c', id='osDir-2'),
    pytest.param('v', 'osDir', ['/a/b.tar.gz'], 'ok', '/a', id='osDir-3'),
    pytest.param('v', 'osDir', ['//x'], 'ok', '/', id='osDir-4'),
    pytest.param('v', 'osDir', ['../../a/./b'], 'ok', '../../a', id='osDir-5'),
    pytest.param('v', 'osDir', ['a/b/'], 'ok', 'a/b', id='osDir-6'),
    pytest.param('v', 'osDir', ['.hidden'], 'ok', '.', id='osDir-7'),
    pytest.param('v', 'osDir', ['x.'], 'ok', '.', id='osDir-8'),
    pytest.param('v', 'osClean', [''], 'ok', '.', id='osClean-0'),
    pytest.param('v', 'osClean', ['/'], 'ok', '/', id='osClean-1'),
    pytest.param('v', 'osClean', ['a//b/../c/'], 'ok', 'a/c', id='osClean-2'),
    pytest.param('v', 'osClean', ['/a/b.tar.gz'], 'ok', '/a/b.tar.gz', id='osClean-3'),
    pytest.param('v', 'osClean', ['//x'], 'ok', '/x', id='osClean-4'),
    pytest.param('v', 'osClean', ['../../a/./b'], 'ok', '../../a/b', id='osClean-5'),
    pytest.param('v', 'osClean', ['a/b/'], 'ok', 'a/b', id='osClean-6'),
    pytest.param('v', 'osClean', ['.hidden'], 'ok', '.hidden', id='osClean-7'),
    pytest.param('v', 'osClean', ['x.'], 'ok', 'x.', id='osClean-8'),
    pytest.param('v', 'osExt', [''], 'ok', '', id='osExt-0'),
    pytest.param('v', 'osExt', ['/'], 'ok', '', id='osExt-1'),
    pytest.param('v', 'osExt', ['a//b/../c/'], 'ok', '', id='osExt-2'),
    pytest.param('v', 'osExt', ['/a/b.tar.gz'], 'ok', '.gz', id='osExt-3'),
    pytest.param('v', 'osExt', ['//x'], 'ok', '', id='osExt-4'),
    pytest.param('v', 'osExt', ['../../a/./b'], 'ok', '', id='osExt-5'),
    pytest.param('v', 'osExt', ['a/b/'], 'ok', '', id='osExt-6'),
    pytest.param('v', 'osExt', ['.hidden'], 'ok', '.hidden', id='osExt-7'),
    pytest.param('v', 'osExt', ['x.'], 'ok', '.', id='osExt-8'),
    pytest.param('v', 'osIsAbs', [''], 'ok', 'false', id='osIsAbs-0'),
    pytest.param('v', 'osIsAbs', ['/'], 'ok', 'true', id='osIsAbs-1'),
    pytest.param('v', 'osIsAbs', ['a//b/../c/'], 'ok', 'false', id='osIsAbs-2'),
    pytest.param('v', 'osIsAbs', ['/a/b.tar.gz'], 'ok', 'true', id='osIsAbs-3'),
    pytest.param('v', 'osIsAbs', ['//x'], 'ok', 'true', id='osIsAbs-4'),
    pytest.param('v', 'osIsAbs', ['../../a/./b'], 'ok', 'false', id='osIsAbs-5'),
    pytest.param('v', 'osIsAbs', ['a/b/'], 'ok', 'false', id='osIsAbs-6'),
    pytest.param('v', 'osIsAbs', ['.hidden'], 'ok', 'false', id='osIsAbs-7'),
    pytest.param('v', 'osIsAbs', ['x.'], 'ok', 'false', id='osIsAbs-8'),
    pytest.param('v', 'urlParse', ['https://user:p%40ss@Example.com:8080/a%20b/c?x=1&y=2#frag%21'], 'ok', 'map[fragment:frag! host:Example.com:8080 hostname:Example.com opaque: path:/a b/c query:x=1&y=2 scheme:https userinfo:user:p%40ss]', id='urlParse-full'),
    pytest.param('v', 'urlParse', ['http://[::1]:80/p'], 'ok', 'map[fragment: host:[::1]:80 hostname:::1 opaque: path:/p query: scheme:http userinfo:]', id='urlParse-ipv6'),
    pytest.param('v', 'urlParse', ['mailto:x@y'], 'ok', 'map[fragment: host: hostname: opaque:x@y path: query: scheme:mailto userinfo:]', id='urlParse-opaque'),
    pytest.param('v', 'urlParse', ['a/b?c#d'], 'ok', 'map[fragment:d host: hostname: opaque: path:a/b query:c scheme: userinfo:]', id='urlParse-relative'),
    pytest.param('v', 'urlParse', ['http://h/p?'], 'ok', 'map[fragment: host:h hostname:h opaque: path:/p query: scheme:http userinfo:]', id='urlParse-force-query'),
    pytest.param('v', 'urlParse', ['HTTP://H/'], 'ok', 'map[fragment: host:H hostname:H opaque: path:/ query: scheme:http userinfo:]', id='urlParse-scheme-case'),
    pytest.param('v', 'urlParse', ['///a/b'], 'ok', 'map[fragment: host: hostname: opaque: path:///a/b query: scheme: userinfo:]', id='urlParse-triple-slash'),
    pytest.param('v', 'urlParse', ['ftp://anon@h'], 'ok', 'map[fragment: host:h hostname:h opaque: path: query: scheme:ftp userinfo:anon]', id='urlParse-user-only'),
    pytest.param('v', 'urlParse', ['http://[::1'], 'err', 'unable to parse url: parse "http://[::1": missing \']\' in host', id='urlParse-bad-bracket'),
    pytest.param('v', 'urlParse', ['http://a b'], 'err', 'unable to parse url: parse "http://a b": invalid character " " in host name', id='urlParse-bad-host'),
    pytest.param('v', 'urlParse', ['%zz'], 'err', 'unable to parse url: parse "%zz": invalid URL escape "%zz"', id='urlParse-bad-escape'),
    pytest.param('v', 'urlParse', [':foo'], 'err', 'unable to parse url: parse ":foo": missing protocol scheme', id='urlParse-no-scheme'),
    pytest.param('v', 'urlParse', [':b/c'], 'err', 'unable to parse url: parse ":b/c": missing protocol scheme', id='urlParse-colon-segment'),
    pytest.param('v', 'urlParse', ['http://h:8x/'], 'err', 'unable to parse url: parse "http://h:8x/": invalid port ":8x" after host', id='urlParse-bad-port'),
    pytest.param('v', 'urlParse', ['http://h/\n'], 'err', 'unable to parse url: parse "http://h/\\n": net/url: invalid control character in URL', id='urlParse-control'),
    pytest.param('v', 'urlParse', ['http://a^b@h/'], 'err', 'unable to parse url: parse "http://a^b@h/": net/url: invalid userinfo', id='urlParse-bad-userinfo'),
    pytest.param('v', 'urlJoin', [{'scheme': 'https', 'host': 'example.com', 'path': '/a b', 'query': 'x=1', 'userinfo': 'u:p', 'fragment': 'f g'}], 'ok', 'https://u:p@example.com/a%20b?x=1#f%20g', id='urlJoin'),
    pytest.param('v', 'urlJoin', [{'host': 'h', 'path': 'p'}], 'ok', '//h/p', id='urlJoin-relative-path'),
    pytest.param('v', 'urlJoin', [{'scheme': 'mailto', 'opaque': 'x@y'}], 'ok', 'mailto:x@y', id='urlJoin-opaque'),
    pytest.param('v', 'urlJoin', [{'path': 'a:b'}], 'ok', './a:b', id='urlJoin-colon-path'),
    pytest.param('v', 'urlJoin', [{}], 'ok', '', id='urlJoin-empty'),
    pytest.param('v', 'urlJoin', [{'scheme': 'file', 'path': '/etc'}], 'ok', 'file:///etc', id='urlJoin-scheme-only'),
    pytest.param('v', 'urlJoin', [{'host': 1}], 'err', 'unable to parse host key, must be of type string, but int found', id='urlJoin-not-string'),
    pytest.param('v', 'urlJoin', [{'scheme': 's', 'host': 'h', 'userinfo': 'a@b'}], 'ok', 's://a%40b@h', id='urlJoin-user-escape'),
]


@pytest.mark.parametrize(("kind", "name", "args", "status", "expected"), CASES)
def test_matches_go(kind: str, name: str, args: list[Any], status: str, expected: str) -> None:
    check(kind, name, args, status, expected)
