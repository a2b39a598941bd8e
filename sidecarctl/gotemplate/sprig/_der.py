"""Minimal ASN.1 DER encoding/decoding and PEM, as Go's encoding/asn1 and encoding/pem write them."""

from __future__ import annotations

import base64
import datetime as _dt


def _len(n: int) -> bytes:
    if n < 0x80:
        return bytes([n])
    body = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(body)]) + body


def tlv(tag: int, body: bytes) -> bytes:
    return bytes([tag]) + _len(len(body)) + body


def integer(n: int) -> bytes:
    size = max(1, (n.bit_length() + 8) // 8)
    return tlv(0x02, n.to_bytes(size, "big", signed=True))


def seq(*items: bytes) -> bytes:
    return tlv(0x30, b"".join(items))


def set_of(*items: bytes) -> bytes:
    return tlv(0x31, b"".join(sorted(items)))


def octets(b: bytes) -> bytes:
    return tlv(0x04, b)


def bits(b: bytes, unused: int = 0) -> bytes:
    return tlv(0x03, bytes([unused]) + b)


def null() -> bytes:
    return b"\x05\x00"


def boolean(v: bool) -> bytes:
    return tlv(0x01, b"\xff" if v else b"\x00")


def oid(dotted: str) -> bytes:
    parts = [int(p) for p in dotted.split(".")]
    body = bytearray([parts[0] * 40 + parts[1]])
    for p in parts[2:]:
        chunk = [p & 0x7F]
        p >>= 7
        while p:
            chunk.append(0x80 | (p & 0x7F))
            p >>= 7
        body += bytes(reversed(chunk))
    return tlv(0x06, bytes(body))


_PRINTABLE = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 '()+,-./:=?*&")


def string(s: str) -> bytes:
    """Go's default string encoding: PrintableString when possible, else UTF8String."""
    tag = 0x13 if all(c in _PRINTABLE for c in s) else 0x0C
    return tlv(tag, s.encode("utf-8", "surrogateescape"))


def time(t: _dt.datetime) -> bytes:
    t = t.astimezone(_dt.timezone.utc)
    if 1950 <= t.year < 2050:
        return tlv(0x17, t.strftime("%y%m%d%H%M%SZ").encode())
    return tlv(0x18, f"{t.year:04d}{t.strftime('%m%d%H%M%S')}Z".encode())


def explicit(n: int, body: bytes) -> bytes:
    return tlv(0xA0 | n, body)


# --- decoding -------------------------------------------------------------------------------


class DERError(Exception):
    pass


def read(data: bytes, pos: int = 0) -> tuple[int, bytes, int]:
    """(tag, content, next position) of the element at pos."""
    if pos + 2 > len(data):
        raise DERError("asn1: syntax error: truncated tag or length")
    tag = data[pos]
    n = data[pos + 1]
    pos += 2
    if n & 0x80:
        k = n & 0x7F
        if k == 0 or k > 4 or pos + k > len(data):
            raise DERError("asn1: syntax error: truncated tag or length")
        n = int.from_bytes(data[pos : pos + k], "big")
        pos += k
    if pos + n > len(data):
        raise DERError("asn1: syntax error: data truncated")
    return tag, data[pos : pos + n], pos + n


def children(body: bytes) -> list[tuple[int, bytes]]:
    out = []
    pos = 0
    while pos < len(body):
        tag, content, pos = read(body, pos)
        out.append((tag, content))
    return out


def parse_seq(data: bytes) -> list[tuple[int, bytes]]:
    tag, content, end = read(data)
    if tag != 0x30:
        raise DERError("asn1: structure error: tags don't match")
    if end != len(data):
        raise DERError("asn1: syntax error: trailing data")
    return children(content)


def to_int(content: bytes) -> int:
    return int.from_bytes(content, "big", signed=True)


def decode_oid(content: bytes) -> str:
    parts = [content[0] // 40, content[0] % 40]
    n = 0
    for b in content[1:]:
        n = (n << 7) | (b & 0x7F)
        if not b & 0x80:
            parts.append(n)
            n = 0
    return ".".join(map(str, parts))


# --- PEM ------------------------------------------------------------------------------------


def pem_encode(kind: str, der: bytes) -> str:
    text = base64.b64encode(der).decode()
    lines = [text[i : i + 64] for i in range(0, len(text), 64)]
    return f"-----BEGIN {kind}-----\n" + "".join(line + "\n" for line in lines) + f"-----END {kind}-----\n"


def pem_decode(data: str) -> tuple[str, bytes] | None:
    """The first PEM block: (type, bytes), or None (headers are not supported)."""
    start = data.find("-----BEGIN ")
    if start < 0:
        return None
    line_end = data.find("-----", start + 11)
    if line_end < 0:
        return None
    kind = data[start + 11 : line_end]
    end_marker = f"-----END {kind}-----"
    end = data.find(end_marker, line_end)
    if end < 0:
        return None
    body = data[line_end + 5 : end]
    try:
        return kind, base64.b64decode("".join(body.split()), validate=True)
    except ValueError:
        return None
