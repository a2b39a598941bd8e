"""Sprig's encoding functions: JSON (Go's encoding/json), base64 and base32 (Go's decoders)."""

from __future__ import annotations

import base64
import re
from typing import Any

from sidecarctl.gotemplate.gotypes import GoError, GoFunc

from . import gojson
from ._util import to_bytes, to_gostr

FUNCS: dict[str, GoFunc] = {}
ANY = "interface {}"

_B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
_B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"


class _Corrupt(Exception):
    def __init__(self, pos: int) -> None:
        super().__init__(pos)
        self.pos = pos


# Padded base64 of the standard alphabet, which Go's DecodeString accepts and decodes exactly as
# Python's C decoder does: the fast path (the quantum walk below takes ~0.5 µs a character, so a
# 16M-character string took seconds past the template's time limit); anything else takes the walk,
# which finds Go's error offset.
_CANONICAL_B64 = re.compile(rb"(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?")


def b64decode_go(s: str) -> bytes:
    """base64.StdEncoding.DecodeString; raises _Corrupt(offset) like Go's CorruptInputError."""
    src = to_bytes(s)
    plain = src.replace(b"\r", b"").replace(b"\n", b"")  # Go skips them anywhere
    if _CANONICAL_B64.fullmatch(plain):
        return base64.b64decode(plain)
    out = bytearray()
    si = 0
    while True:
        si, chunk, err = _b64_quantum(src, si)
        out += chunk
        if err is not None:
            raise _Corrupt(err)
        if si >= len(src):
            return bytes(out)


def _b64_quantum(src: bytes, si: int) -> tuple[int, bytes, int | None]:
    vals: list[int] = []
    err = None
    while len(vals) < 4:
        if si == len(src):
            if not vals:
                return si, b"", None
            return si, b"", si - len(vals)
        c = src[si]
        si += 1
        idx = _B64.find(chr(c)) if c < 128 else -1
        if idx >= 0:
            vals.append(idx)
            continue
        if c in (0x0A, 0x0D):
            continue
        if c != ord("="):
            return si, b"", si - 1
        j = len(vals)
        if j < 2:
            return si, b"", si - 1
        if j == 2:
            while si < len(src) and src[si] in (0x0A, 0x0D):
                si += 1
            if si == len(src):
                return si, b"", len(src)
            if src[si] != ord("="):
                return si, b"", si - 1
            si += 1
        while si < len(src) and src[si] in (0x0A, 0x0D):
            si += 1
        if si < len(src):
            err = si
        break
    dlen = len(vals)
    vals += [0] * (4 - dlen)
    val = vals[0] << 18 | vals[1] << 12 | vals[2] << 6 | vals[3]
    data = bytes([(val >> 16) & 0xFF, (val >> 8) & 0xFF, val & 0xFF])[: dlen - 1]
    return (len(src) if err is None and dlen < 4 else si), data, err


def b32decode_go(s: str) -> bytes:
    """base32.StdEncoding.DecodeString (newlines stripped first, as Go does)."""
    src = to_bytes(s).replace(b"\r", b"").replace(b"\n", b"")
    olen = len(src)
    out = bytearray()
    pos = 0
    end = False
    while pos < olen and not end:
        dbuf = [0] * 8
        dlen = 8
        j = 0
        while j < 8:
            if pos == olen:
                raise _Corrupt(olen - (olen - pos) - j)
            c = src[pos]
            pos += 1
            remaining = olen - pos
            if c == ord("=") and j >= 2 and remaining < 8:
                if remaining + j < 7:
                    raise _Corrupt(olen)
                for k in range(7 - j):
                    if remaining > k and src[pos + k] != ord("="):
                        raise _Corrupt(olen - remaining + k - 1)
                dlen, end = j, True
                if dlen in (1, 3, 6):
                    raise _Corrupt(olen - remaining - 1)
                break
            idx = _B32.find(chr(c)) if c < 128 else -1
            if idx < 0:
                raise _Corrupt(olen - remaining - 1)
            dbuf[j] = idx
            j += 1
        val = 0
        for v in dbuf:
            val = val << 5 | v
        chunk = val.to_bytes(5, "big")
        out += chunk[: {8: 5, 7: 4, 5: 3, 4: 2, 2: 1}.get(dlen, 0)]
    return bytes(out)


def _b64dec(s: str) -> str:
    try:
        return to_gostr(b64decode_go(s))
    except _Corrupt as e:
        return f"illegal base64 data at input byte {e.pos}"


def _b32dec(s: str) -> str:
    try:
        return to_gostr(b32decode_go(s))
    except _Corrupt as e:
        return f"illegal base32 data at input byte {e.pos}"


def _swallow(fn: Any) -> Any:
    def run(v: Any) -> str:
        try:
            return fn(v)
        except GoError:
            return ""

    return run


def _to_raw_json(v: Any) -> str:
    return gojson.marshal(v, escape_html=False)


def _from_json(s: str) -> Any:
    value, _err = gojson.unmarshal(s)
    return value


def _must_from_json(s: str) -> Any:
    value, err = gojson.unmarshal(s)
    if err:
        raise GoError(err)
    return value


def _reg(name: str, fn: Any, param: str, result: str, returns_error: bool = False) -> None:
    FUNCS[name] = GoFunc(name, fn, (param,), False, returns_error, result)


_reg("b64enc", lambda s: base64.b64encode(to_bytes(s)).decode(), "string", "string")
_reg("b64dec", _b64dec, "string", "string")
_reg("b32enc", lambda s: base64.b32encode(to_bytes(s)).decode(), "string", "string")
_reg("b32dec", _b32dec, "string", "string")
_reg("toJson", _swallow(gojson.marshal), ANY, "string")
_reg("mustToJson", gojson.marshal, ANY, "string", True)
_reg("toPrettyJson", _swallow(lambda v: gojson.marshal(v, indent="  ")), ANY, "string")
_reg("mustToPrettyJson", lambda v: gojson.marshal(v, indent="  "), ANY, "string", True)
_reg("toRawJson", _to_raw_json, ANY, "string")
_reg("mustToRawJson", _to_raw_json, ANY, "string", True)
_reg("fromJson", _from_json, "string", ANY)
_reg("mustFromJson", _must_from_json, "string", ANY, True)
