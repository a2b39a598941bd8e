"""Keys and X.509 certificates for Sprig's genPrivateKey/genCA/genSelfSignedCert/genSignedCert,
written the way Go's crypto/x509 lays them out. Pure Python (the standard library has no public
key cryptography); the numbers come from `secrets`, primality from Miller-Rabin."""

from __future__ import annotations

import datetime as _dt
import hashlib
import ipaddress
import math
import secrets
from dataclasses import dataclass
from typing import Any

from . import _der as der

# --- primes and RSA -------------------------------------------------------------------------

def _sieve(limit: int) -> list[int]:
    flags = bytearray([1]) * limit
    flags[0:2] = b"\x00\x00"
    for i in range(2, int(limit**0.5) + 1):
        if flags[i]:
            flags[i * i :: i] = bytes(len(range(i * i, limit, i)))
    return [i for i in range(3, limit) if flags[i]]


_SMALL_PRIMES = _sieve(20000)
_SMALL_PRODUCT = math.prod(_SMALL_PRIMES)
_SMALL_PRIMES_SET = frozenset(_SMALL_PRIMES)


def probably_prime(n: int, rounds: int = 20) -> bool:
    if n < 2:
        return False
    if n <= _SMALL_PRIMES[-1]:
        return n == 2 or (n % 2 == 1 and n in _SMALL_PRIMES_SET)
    # One gcd against the product of small primes rejects most candidates cheaply.
    if n % 2 == 0 or math.gcd(n, _SMALL_PRODUCT) != 1:
        return False
    d, s = n - 1, 0
    while d % 2 == 0:
        d //= 2
        s += 1
    for _ in range(rounds):
        a = secrets.randbelow(n - 3) + 2
        x = pow(a, d, n)
        if x in (1, n - 1):
            continue
        for _ in range(s - 1):
            x = pow(x, 2, n)
            if x == n - 1:
                break
        else:
            return False
    return True


def random_prime(nbits: int) -> int:
    """crypto/rand.Prime: a random start with the top two bits set (so that products have the
    full size), then the next candidate clear of small factors, as Go searches; a sieve over a
    window of odd numbers finds those candidates cheaply."""
    window = 4 * nbits
    while True:
        start = secrets.randbits(nbits) | (3 << (nbits - 2)) | 1
        composite = bytearray(window)  # composite[i]: start + 2*i has a small factor
        for p in _SMALL_PRIMES:
            r = start % p
            first = ((p - r) * pow(2, -1, p)) % p  # smallest i with start + 2*i divisible by p
            composite[first::p] = b"\x01" * len(range(first, window, p))
        for i in range(window):
            n = start + 2 * i
            if composite[i] or n.bit_length() != nbits:
                continue
            if pow(2, n - 1, n) == 1 and probably_prime(n):
                return n


@dataclass(frozen=True)
class RSAKey:
    n: int
    e: int
    d: int
    p: int
    q: int

    def der(self) -> bytes:
        dp, dq, qinv = self.d % (self.p - 1), self.d % (self.q - 1), pow(self.q, -1, self.p)
        return der.seq(*(der.integer(x) for x in (0, self.n, self.e, self.d, self.p, self.q, dp, dq, qinv)))

    def public_der(self) -> bytes:
        return der.seq(der.integer(self.n), der.integer(self.e))

    def spki(self) -> bytes:
        alg = der.seq(der.oid("1.2.840.113549.1.1.1"), der.null())
        return der.seq(alg, der.bits(self.public_der()))

    def sig_alg(self) -> bytes:
        return der.seq(der.oid("1.2.840.113549.1.1.11"), der.null())

    def sign(self, data: bytes) -> bytes:
        digest_info = der.seq(der.seq(der.oid("2.16.840.1.101.3.4.2.1"), der.null()), der.octets(hashlib.sha256(data).digest()))
        k = (self.n.bit_length() + 7) // 8
        em = b"\x00\x01" + b"\xff" * (k - len(digest_info) - 3) + b"\x00" + digest_info
        m = int.from_bytes(em, "big")
        # CRT keeps 2048/4096-bit signing quick.
        s1 = pow(m, self.d % (self.p - 1), self.p)
        s2 = pow(m, self.d % (self.q - 1), self.q)
        h = (pow(self.q, -1, self.p) * (s1 - s2)) % self.p
        return (s2 + h * self.q).to_bytes(k, "big")

    def pem(self) -> tuple[str, bytes]:
        return "RSA PRIVATE KEY", self.der()


def generate_rsa(bits: int) -> RSAKey:
    e = 65537
    while True:
        p = random_prime(bits - bits // 2)
        q = random_prime(bits // 2)
        n = p * q
        phi = (p - 1) * (q - 1)
        if p != q and n.bit_length() == bits and phi % e:
            return RSAKey(n, e, pow(e, -1, phi), p, q)


# --- ECDSA P-256 ----------------------------------------------------------------------------

P256_P = 2**256 - 2**224 + 2**192 + 2**96 - 1
P256_N = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
P256_B = 0x5AC635D8AA3A93E7B3EBBD55769886BC651D06B0CC53B0F63BCE3C3E27D2604B
P256_G = (0x6B17D1F2E12C4247F8BCE6E563A440F277037D812DEB33A0F4A13945D898C296,
          0x4FE342E2FE1A7F9B8EE7EB4A7C0F9E162BCE33576B315ECECBB6406837BF51F5)


def _ec_add(a: tuple[int, int] | None, b: tuple[int, int] | None) -> tuple[int, int] | None:
    if a is None:
        return b
    if b is None:
        return a
    p = P256_P
    if a[0] == b[0]:
        if (a[1] + b[1]) % p == 0:
            return None
        lam = (3 * a[0] * a[0] - 3) * pow(2 * a[1], -1, p) % p
    else:
        lam = (b[1] - a[1]) * pow(b[0] - a[0], -1, p) % p
    x = (lam * lam - a[0] - b[0]) % p
    return x, (lam * (a[0] - x) - a[1]) % p


def ec_mul(k: int, point: tuple[int, int]) -> tuple[int, int] | None:
    out: tuple[int, int] | None = None
    addend: tuple[int, int] | None = point
    while k:
        if k & 1:
            out = _ec_add(out, addend)
        addend = _ec_add(addend, addend)
        k >>= 1
    return out


@dataclass(frozen=True)
class ECKey:
    d: int
    x: int
    y: int

    def public_bytes(self) -> bytes:
        return b"\x04" + self.x.to_bytes(32, "big") + self.y.to_bytes(32, "big")

    def der(self) -> bytes:
        return der.seq(der.integer(1), der.octets(self.d.to_bytes(32, "big")),
                       der.explicit(0, der.oid("1.2.840.10045.3.1.7")), der.explicit(1, der.bits(self.public_bytes())))

    def spki(self) -> bytes:
        alg = der.seq(der.oid("1.2.840.10045.2.1"), der.oid("1.2.840.10045.3.1.7"))
        return der.seq(alg, der.bits(self.public_bytes()))

    def sig_alg(self) -> bytes:
        return der.seq(der.oid("1.2.840.10045.4.3.2"))

    def sign(self, data: bytes) -> bytes:
        e = int.from_bytes(hashlib.sha256(data).digest(), "big")
        while True:
            k = secrets.randbelow(P256_N - 1) + 1
            pt = ec_mul(k, P256_G)
            assert pt is not None
            r = pt[0] % P256_N
            s = pow(k, -1, P256_N) * (e + r * self.d) % P256_N
            if r and s:
                return der.seq(der.integer(r), der.integer(s))

    def pem(self) -> tuple[str, bytes]:
        return "EC PRIVATE KEY", self.der()


def generate_ec(d: int | None = None) -> ECKey:
    d = d if d is not None else secrets.randbelow(P256_N - 1) + 1
    pt = ec_mul(d, P256_G)
    assert pt is not None
    return ECKey(d, pt[0], pt[1])


# --- Ed25519 (RFC 8032) ---------------------------------------------------------------------

_Q = 2**255 - 19
_L = 2**252 + 27742317777372353535851937790883648493
_D = -121665 * pow(121666, -1, _Q) % _Q
_I = pow(2, (_Q - 1) // 4, _Q)


def _xrecover(y: int) -> int:
    xx = (y * y - 1) * pow(_D * y * y + 1, -1, _Q)
    x = pow(xx, (_Q + 3) // 8, _Q)
    if (x * x - xx) % _Q:
        x = x * _I % _Q
    return _Q - x if x % 2 else x


_BY = 4 * pow(5, -1, _Q) % _Q
_B = (_xrecover(_BY), _BY)


def _ed_add(p: tuple[int, int], q: tuple[int, int]) -> tuple[int, int]:
    x1, y1 = p
    x2, y2 = q
    t = _D * x1 * x2 * y1 * y2
    return ((x1 * y2 + x2 * y1) * pow(1 + t, -1, _Q) % _Q, (y1 * y2 + x1 * x2) * pow(1 - t, -1, _Q) % _Q)


def _ed_mul(k: int, p: tuple[int, int]) -> tuple[int, int]:
    out = (0, 1)
    while k:
        if k & 1:
            out = _ed_add(out, p)
        p = _ed_add(p, p)
        k >>= 1
    return out


def _ed_encode(p: tuple[int, int]) -> bytes:
    x, y = p
    return (y | ((x & 1) << 255)).to_bytes(32, "little")


@dataclass(frozen=True)
class Ed25519Key:
    seed: bytes

    def _expanded(self) -> tuple[int, bytes]:
        h = hashlib.sha512(self.seed).digest()
        a = int.from_bytes(h[:32], "little")
        a &= (1 << 254) - 8
        a |= 1 << 254
        return a, h[32:]

    def public_bytes(self) -> bytes:
        return _ed_encode(_ed_mul(self._expanded()[0], _B))

    def der(self) -> bytes:
        return der.seq(der.integer(0), der.seq(der.oid("1.3.101.112")), der.octets(der.octets(self.seed)))

    def spki(self) -> bytes:
        return der.seq(der.seq(der.oid("1.3.101.112")), der.bits(self.public_bytes()))

    def sig_alg(self) -> bytes:
        return der.seq(der.oid("1.3.101.112"))

    def sign(self, data: bytes) -> bytes:
        a, prefix = self._expanded()
        pub = self.public_bytes()
        r = int.from_bytes(hashlib.sha512(prefix + data).digest(), "little") % _L
        big_r = _ed_encode(_ed_mul(r, _B))
        k = int.from_bytes(hashlib.sha512(big_r + pub + data).digest(), "little") % _L
        s = (r + k * a) % _L
        return big_r + s.to_bytes(32, "little")

    def pem(self) -> tuple[str, bytes]:
        return "PRIVATE KEY", self.der()


# --- DSA (L=2048, N=256) --------------------------------------------------------------------


@dataclass(frozen=True)
class DSAKey:
    p: int
    q: int
    g: int
    y: int
    x: int

    def der(self) -> bytes:
        return der.seq(*(der.integer(v) for v in (0, self.p, self.q, self.g, self.y, self.x)))

    def pem(self) -> tuple[str, bytes]:
        return "DSA PRIVATE KEY", self.der()


def generate_dsa() -> DSAKey:
    """crypto/dsa.GenerateParameters(L2048N256) and GenerateKey."""
    L, N = 2048, 256
    while True:
        q = secrets.randbits(N) | (1 << (N - 1)) | 1
        if not probably_prime(q):
            continue
        for _ in range(4 * L):
            p = secrets.randbits(L) | (1 << (L - 1)) | 1
            p -= (p % q) - 1
            if p.bit_length() < L or not probably_prime(p):
                continue
            h = 2
            while True:
                g = pow(h, (p - 1) // q, p)
                if g != 1:
                    break
                h += 1
            x = secrets.randbelow(q - 1) + 1
            return DSAKey(p, q, g, pow(g, x, p), x)


# --- parsing private keys ---------------------------------------------------------------------


class KeyError_(Exception):
    pass


def parse_private_key_pem(text: str) -> Any:
    """Sprig's parsePrivateKeyPEM: PKCS#8, PKCS#1 RSA, SEC 1 EC or Sprig's DSA layout."""
    block = der.pem_decode(text)
    if block is None:
        raise KeyError_("no PEM data in input")
    kind, data = block
    try:
        if kind == "PRIVATE KEY":
            return _pkcs8(data)
        if not kind.endswith(" PRIVATE KEY"):
            raise KeyError_(f"no private key data in PEM block of type {kind}")
        algo = kind[:-12]
        if algo == "RSA":
            return _pkcs1(data)
        if algo == "EC":
            return _sec1(data)
        if algo == "DSA":
            v = [der.to_int(c) for _, c in der.parse_seq(data)]
            return DSAKey(v[1], v[2], v[3], v[4], v[5])
    except (der.DERError, IndexError, ValueError) as e:
        prefix = {"PRIVATE KEY": "decoding PEM as PKCS#8", "RSA PRIVATE KEY": "parsing RSA private key from PEM",
                  "EC PRIVATE KEY": "parsing EC private key from PEM", "DSA PRIVATE KEY": "parsing DSA private key from PEM"}
        raise KeyError_(f"{prefix.get(kind, 'parsing private key')}: {e}") from None
    raise KeyError_(f"invalid private key type {kind}")


def _pkcs1(data: bytes) -> RSAKey:
    v = [der.to_int(c) for _, c in der.parse_seq(data)]
    return RSAKey(v[1], v[2], v[3], v[4], v[5])


def _sec1(data: bytes) -> ECKey:
    items = der.parse_seq(data)
    d = int.from_bytes(items[1][1], "big")
    for tag, content in items[2:]:
        if tag == 0xA0 and der.decode_oid(der.read(content)[1]) != "1.2.840.10045.3.1.7":
            raise KeyError_("x509: unknown elliptic curve")
    return generate_ec(d)


def _pkcs8(data: bytes) -> Any:
    items = der.parse_seq(data)
    alg = der.children(items[1][1])
    algo = der.decode_oid(alg[0][1])
    inner = items[2][1]
    if algo == "1.2.840.113549.1.1.1":
        return _pkcs1(inner)
    if algo == "1.2.840.10045.2.1":
        return _sec1(inner)
    if algo == "1.3.101.112":
        return Ed25519Key(der.read(inner)[1])
    raise KeyError_(f"x509: PKCS#8 wrapping contained private key with unknown algorithm: {algo}")


# --- certificates ---------------------------------------------------------------------------


@dataclass
class CertInfo:
    subject: bytes  # DER Name
    ski: bytes  # subject key id ("" when absent)


def name(cn: str) -> bytes:
    if not cn:
        return der.seq()
    return der.seq(der.set_of(der.seq(der.oid("2.5.4.3"), der.string(cn))))


def _key_usage(bits: int) -> bytes:
    """KeyUsage as Go writes it: bit 0 first, trailing zero bytes dropped."""
    raw = 0
    for i in range(9):
        if bits & (1 << i):
            raw |= 1 << (15 - i)
    data = raw.to_bytes(2, "big").rstrip(b"\x00") or b"\x00"
    last = data[-1]
    unused = (last & -last).bit_length() - 1 if last else 0
    return der.bits(data, unused)


def _ext(oid: str, critical: bool, value: bytes) -> bytes:
    parts = [der.oid(oid)]
    if critical:
        parts.append(der.boolean(True))
    parts.append(der.octets(value))
    return der.seq(*parts)


KU_DIGITAL_SIGNATURE, KU_KEY_ENCIPHERMENT, KU_CERT_SIGN = 1, 4, 32


def create_certificate(cn: str, ips: list[bytes], dns: list[str], days: int, is_ca: bool, key: Any,
                       signer: Any, issuer: CertInfo | None) -> tuple[bytes, CertInfo]:
    """x509.CreateCertificate for Sprig's template; issuer None means self-signed."""
    now = _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0)
    subject = name(cn)
    pub_key_bytes = der.parse_seq(key.spki())[1][1][1:]  # the BIT STRING's key bytes
    ski = hashlib.sha1(pub_key_bytes).digest() if is_ca else b""
    usage = KU_KEY_ENCIPHERMENT | KU_DIGITAL_SIGNATURE | (KU_CERT_SIGN if is_ca else 0)
    exts = [
        _ext("2.5.29.15", True, _key_usage(usage)),
        _ext("2.5.29.37", False, der.seq(der.oid("1.3.6.1.5.5.7.3.1"), der.oid("1.3.6.1.5.5.7.3.2"))),
        _ext("2.5.29.19", True, der.seq(der.boolean(True)) if is_ca else der.seq()),
    ]
    if ski:
        exts.append(_ext("2.5.29.14", False, der.octets(ski)))
    issuer_name = issuer.subject if issuer else subject
    if issuer and issuer.subject != subject and issuer.ski:
        exts.append(_ext("2.5.29.35", False, der.seq(der.tlv(0x80, issuer.ski))))
    if dns or ips:
        sans = [der.tlv(0x82, d.encode()) for d in dns] + [der.tlv(0x87, ip) for ip in ips]
        exts.append(_ext("2.5.29.17", False, der.seq(*sans)))
    serial = secrets.randbelow(1 << 128)
    tbs = der.seq(
        der.explicit(0, der.integer(2)),
        der.integer(serial),
        signer.sig_alg(),
        issuer_name,
        der.seq(der.time(now), der.time(now + _dt.timedelta(days=days))),
        subject,
        key.spki(),
        der.explicit(3, der.seq(*exts)),
    )
    cert = der.seq(tbs, signer.sig_alg(), der.bits(signer.sign(tbs)))
    return cert, CertInfo(subject, ski)


def parse_certificate(data: bytes) -> CertInfo:
    """Enough of x509.ParseCertificate to check the structure and find subject and key id."""
    top = der.parse_seq(data)
    if len(top) != 3:
        raise der.DERError("x509: malformed certificate")
    tbs = der.children(top[0][1])
    idx = 1 if tbs and tbs[0][0] == 0xA0 else 0
    subject = der.tlv(0x30, tbs[idx + 4][1])
    ski = b""
    for tag, content in tbs[idx + 6 :]:
        if tag == 0xA3:
            for _, ext in der.children(der.read(content)[1]):
                parts = der.children(ext)
                if der.decode_oid(parts[0][1]) == "2.5.29.14":
                    ski = der.read(parts[-1][1])[1]
    return CertInfo(subject, ski)


def parse_ip(text: str) -> bytes | None:
    """net.ParseIP, as the 4- or 16-byte form x509 writes."""
    try:
        ip = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        return ip.ipv4_mapped.packed
    return ip.packed
