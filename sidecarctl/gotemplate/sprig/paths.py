"""Sprig's path, filepath and URL functions: Go's path.Clean/Base/Dir/Ext/IsAbs (filepath is
the same on Linux) and net/url's Parse and URL.String."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sidecarctl.gotemplate.gotypes import GoError, GoFunc

from ._util import go_quote, kind_name, to_bytes, to_gostr

FUNCS: dict[str, GoFunc] = {}


def clean(path: str) -> str:
    """path.Clean: lexical shortest equivalent path."""
    if path == "":
        return "."
    rooted = path.startswith("/")
    parts: list[str] = []
    for part in path.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if parts and parts[-1] != "..":
                parts.pop()
            elif not rooted:
                parts.append("..")
            continue
        parts.append(part)
    out = "/".join(parts)
    if rooted:
        return "/" + out
    return out or "."


def base(path: str) -> str:
    if path == "":
        return "."
    path = path.rstrip("/")
    if path == "":
        return "/"
    return path[path.rfind("/") + 1 :]


def dir_(path: str) -> str:
    return clean(path[: path.rfind("/") + 1])


def ext(path: str) -> str:
    i = len(path) - 1
    while i >= 0 and path[i] != "/":
        if path[i] == ".":
            return path[i:]
        i -= 1
    return ""


for _prefix in ("", "os"):

    def _name(n: str) -> str:
        return _prefix + n[0].upper() + n[1:] if _prefix else n  # noqa: B023 - called in this iteration

    FUNCS[_name("base")] = GoFunc(_name("base"), base, ("string",), result="string")
    FUNCS[_name("dir")] = GoFunc(_name("dir"), dir_, ("string",), result="string")
    FUNCS[_name("clean")] = GoFunc(_name("clean"), clean, ("string",), result="string")
    FUNCS[_name("ext")] = GoFunc(_name("ext"), ext, ("string",), result="string")
    FUNCS[_name("isAbs")] = GoFunc(_name("isAbs"), lambda p: p.startswith("/"), ("string",), result="bool")


# --- net/url --------------------------------------------------------------------------------

PATH, USER, QUERY, FRAGMENT, HOST, ZONE = range(6)


def should_escape(c: int, mode: int) -> bool:
    ch = chr(c)
    if ch.isascii() and ch.isalnum():
        return False
    if mode in (HOST, ZONE) and ch in "!$&'()*+,;=:[]<>\"":
        return False
    if ch in "-_.~":
        return False
    if ch in "$&+,/:;=?@":
        if mode == PATH:
            return ch == "?"
        if mode == USER:
            return ch in "@/?:"
        if mode == QUERY:
            return True
        if mode == FRAGMENT:
            return False
    if mode == FRAGMENT and ch in "!()*":
        return False
    return True


def escape(s: str, mode: int) -> str:
    out = []
    for b in to_bytes(s):
        if b == 0x20 and mode == QUERY:
            out.append("+")
        elif should_escape(b, mode):
            out.append(f"%{b:02X}")
        else:
            out.append(chr(b))
    return "".join(out)


_HEX = "0123456789abcdefABCDEF"


def unescape(s: str, mode: int) -> str:
    b = to_bytes(s)
    i = 0
    while i < len(b):
        c = b[i]
        if c == 0x25:
            if i + 2 >= len(b) or chr(b[i + 1]) not in _HEX or chr(b[i + 2]) not in _HEX:
                raise GoError(f"invalid URL escape {go_quote(to_gostr(b[i : i + 3]))}")
            if mode == HOST and int(chr(b[i + 1]), 16) < 8 and b[i : i + 3] != b"%25":
                raise GoError(f"invalid URL escape {go_quote(to_gostr(b[i : i + 3]))}")
            if mode == ZONE:
                v = int(b[i + 1 : i + 3], 16)
                if b[i : i + 3] != b"%25" and v != 0x20 and should_escape(v, HOST):
                    raise GoError(f"invalid URL escape {go_quote(to_gostr(b[i : i + 3]))}")
            i += 3
        else:
            if mode in (HOST, ZONE) and c < 0x80 and should_escape(c, mode):
                raise GoError(f"invalid character {go_quote(chr(c))} in host name")
            i += 1
    out = bytearray()
    i = 0
    while i < len(b):
        if b[i] == 0x25:
            out.append(int(b[i + 1 : i + 3], 16))
            i += 3
        else:
            out.append(0x20 if b[i] == 0x2B and mode == QUERY else b[i])
            i += 1
    return to_gostr(bytes(out))


@dataclass
class URL:
    scheme: str = ""
    opaque: str = ""
    user: tuple[str, str | None] | None = None
    host: str = ""
    path: str = ""
    raw_query: str = ""
    fragment: str = ""
    force_query: bool = False

    def userinfo(self) -> str:
        if self.user is None:
            return ""
        name, password = self.user
        text = escape(name, USER)
        if password is not None:
            text += ":" + escape(password, USER)
        return text

    def hostname(self) -> str:
        host = self.host
        colon = host.rfind(":")
        if colon != -1 and _valid_port(host[colon:]):
            host = host[:colon]
        if host.startswith("[") and host.endswith("]"):
            host = host[1:-1]
        return host

    def string(self) -> str:
        out = ""
        if self.scheme:
            out += self.scheme + ":"
        if self.opaque:
            out += self.opaque
        else:
            if self.scheme or self.host or self.user is not None:
                if self.host or self.path or self.user is not None:
                    out += "//"
                if self.user is not None:
                    out += self.userinfo() + "@"
                if self.host:
                    out += escape(self.host, HOST)
            path = "*" if self.path == "*" else escape(self.path, PATH)
            if path and path[0] != "/" and self.host:
                out += "/"
            if not out and ":" in path.split("/", 1)[0]:
                out += "./"
            out += path
        if self.force_query or self.raw_query:
            out += "?" + self.raw_query
        if self.fragment:
            out += "#" + escape(self.fragment, FRAGMENT)
        return out


def _valid_port(port: str) -> bool:
    return port == "" or (port[0] == ":" and all("0" <= c <= "9" for c in port[1:]))


def parse_url(raw: str) -> URL:
    """url.Parse; raises GoError with url.Error's text."""
    u, _, frag = raw.partition("#")
    try:
        url = _parse(u)
    except GoError as e:
        raise GoError(f"parse {go_quote(u)}: {e}") from None
    if frag:
        try:
            url.fragment = unescape(frag, FRAGMENT)
        except GoError as e:
            raise GoError(f"parse {go_quote(raw)}: {e}") from None
    return url


def _scheme(raw: str) -> tuple[str, str]:
    for i, c in enumerate(raw):
        if c.isascii() and c.isalpha():
            continue
        if c.isascii() and (c.isdigit() or c in "+-."):
            if i == 0:
                return "", raw
            continue
        if c == ":":
            if i == 0:
                raise GoError("missing protocol scheme")
            return raw[:i], raw[i + 1 :]
        return "", raw
    return "", raw


def _parse(raw: str) -> URL:
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in raw):
        raise GoError("net/url: invalid control character in URL")
    url = URL()
    if raw == "*":
        url.path = "*"
        return url
    scheme, rest = _scheme(raw)
    url.scheme = scheme.lower()
    if rest.endswith("?") and rest.count("?") == 1:
        url.force_query = True
        rest = rest[:-1]
    else:
        rest, _, url.raw_query = rest.partition("?")
    if not rest.startswith("/"):
        if url.scheme:
            url.opaque = rest
            return url
        if ":" in rest.split("/", 1)[0]:
            raise GoError("first path segment in URL cannot contain colon")
    if (url.scheme or not rest.startswith("///")) and rest.startswith("//"):
        authority, slash, tail = rest[2:].partition("/")
        rest = slash + tail
        url.user, url.host = _authority(authority)
    url.path = unescape(rest, PATH)
    return url


_USERINFO_OK = set("-._:~!$&'()*+,;=%@")


def _authority(authority: str) -> tuple[tuple[str, str | None] | None, str]:
    i = authority.rfind("@")
    host = _host(authority[i + 1 :] if i >= 0 else authority)
    if i < 0:
        return None, host
    info = authority[:i]
    if any(not ((c.isascii() and c.isalnum()) or c in _USERINFO_OK) for c in info):
        raise GoError("net/url: invalid userinfo")
    if ":" not in info:
        return (unescape(info, USER), None), host
    name, _, password = info.partition(":")
    return (unescape(name, USER), unescape(password, USER)), host


def _host(host: str) -> str:
    if host.startswith("["):
        i = host.rfind("]")
        if i < 0:
            raise GoError("missing ']' in host")
        port = host[i + 1 :]
        if not _valid_port(port):
            raise GoError(f"invalid port {go_quote(port)} after host")
        zone = host[:i].find("%25")
        if zone >= 0:
            return unescape(host[:zone], HOST) + unescape(host[zone:i], ZONE) + unescape(host[i:], HOST)
    else:
        i = host.rfind(":")
        if i != -1 and not _valid_port(host[i:]):
            raise GoError(f"invalid port {go_quote(host[i:])} after host")
    return unescape(host, HOST)


def _url_parse(v: str) -> dict[str, Any]:
    try:
        u = parse_url(v)
    except GoError as e:
        raise GoError(f"unable to parse url: {e}") from None
    return {
        "scheme": u.scheme,
        "host": u.host,
        "hostname": u.hostname(),
        "path": u.path,
        "query": u.raw_query,
        "opaque": u.opaque,
        "fragment": u.fragment,
        "userinfo": u.userinfo(),
    }


def _get_str(d: dict[str, Any], key: str) -> str:
    if key not in d:
        return ""
    value = d[key]
    if value is None:
        raise GoError("runtime error: invalid memory address or nil pointer dereference")
    if not isinstance(value, str):
        raise GoError(f"unable to parse {key} key, must be of type string, but {kind_name(value)} found")
    return value


def _url_join(d: Any) -> str:
    d = d or {}
    u = URL(
        scheme=_get_str(d, "scheme"),
        host=_get_str(d, "host"),
        path=_get_str(d, "path"),
        raw_query=_get_str(d, "query"),
        opaque=_get_str(d, "opaque"),
        fragment=_get_str(d, "fragment"),
    )
    info = _get_str(d, "userinfo")
    if info:
        try:
            u.user = parse_url(f"proto://{info}@host").user
        except GoError as e:
            raise GoError(f"unable to parse userinfo in dict: {e}") from None
    return u.string()


FUNCS["urlParse"] = GoFunc("urlParse", _url_parse, ("string",), result="map[string]interface {}")
FUNCS["urlJoin"] = GoFunc("urlJoin", _url_join, ("map[string]interface {}",), result="string")
