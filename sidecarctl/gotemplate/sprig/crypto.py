"""Sprig's crypto functions (crypto.go): hashes, bcrypt/htpasswd, derivePassword, random bytes
and UUIDs, AES-CBC encryptAES/decryptAES, private keys and X.509 certificates."""

from __future__ import annotations

import base64
import os
import struct
import zlib
from typing import Any

from sidecarctl.gotemplate._lazy import lazy_module
from sidecarctl.gotemplate.gotypes import GoError, GoFunc, GoObject

from ._util import to_bytes, to_gostr

# Loaded when a function first needs them (certificates, keys, AES, crypt(3), HMAC, UUIDs).
_aes = lazy_module("sidecarctl.gotemplate.sprig._aes")
_der = lazy_module("sidecarctl.gotemplate.sprig._der")
_pki = lazy_module("sidecarctl.gotemplate.sprig._pki")
ctypes = lazy_module("ctypes")
hashlib = lazy_module("hashlib")
secrets = lazy_module("secrets")
hmac = lazy_module("hmac")
uuid = lazy_module("uuid")
from .encoding import _Corrupt, b64decode_go

FUNCS: dict[str, GoFunc] = {}
CERT = "sprig.certificate"


def _reg(name: str, fn: Any, params: tuple[str, ...], result: str = "string", returns_error: bool = False) -> None:
    FUNCS[name] = GoFunc(name, fn, params, False, returns_error, result)


# --- hashes ---------------------------------------------------------------------------------

_reg("sha1sum", lambda s: hashlib.sha1(to_bytes(s)).hexdigest(), ("string",))
_reg("sha256sum", lambda s: hashlib.sha256(to_bytes(s)).hexdigest(), ("string",))
_reg("adler32sum", lambda s: str(zlib.adler32(to_bytes(s))), ("string",))


# --- bcrypt ---------------------------------------------------------------------------------
# Go's x/crypto/bcrypt ($2a$, cost 10). The system's libcrypt (libxcrypt, always present on
# Debian) does the expensive key schedule; pure Python would take tens of seconds per hash.

_BCRYPT_B64 = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


def _bcrypt_salt() -> str:
    std = base64.b64encode(secrets.token_bytes(16)).decode().rstrip("=")
    table = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", _BCRYPT_B64)
    return std.translate(table)


def _libcrypt() -> Any:
    lib = ctypes.CDLL("libcrypt.so.1")
    lib.crypt.restype = ctypes.c_char_p
    lib.crypt.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
    return lib


def bcrypt_hash(password: str) -> str:
    raw = to_bytes(password)
    if b"\x00" in raw:
        raw = raw[: raw.index(b"\x00")]  # C strings stop at NUL; Go would hash on (rare)
    try:
        lib = _libcrypt()
    except OSError:
        return "failed to encrypt string with bcrypt: libcrypt.so.1 is not available"
    out = lib.crypt(raw[:72], ("$2a$10$" + _bcrypt_salt()).encode())
    if not out or out.startswith(b"*"):
        return "failed to encrypt string with bcrypt: crypt failed"
    return out.decode()


def htpasswd(user: str, password: str) -> str:
    if ":" in user:
        return f"invalid username: {user}"
    return f"{user}:{bcrypt_hash(password)}"


_reg("bcrypt", bcrypt_hash, ("string",))
_reg("htpasswd", htpasswd, ("string", "string"))


# --- random values --------------------------------------------------------------------------


def rand_bytes(count: int) -> str:
    if count < 0:
        raise GoError("runtime error: makeslice: len out of range")
    return base64.b64encode(os.urandom(count)).decode()


_reg("randBytes", rand_bytes, ("int",), returns_error=True)
_reg("uuidv4", lambda: str(uuid.uuid4()), ())


# --- derivePassword (Master Password algorithm) ----------------------------------------------

_TEMPLATES = {
    "maximum": ["anoxxxxxxxxxxxxxxxxx", "axxxxxxxxxxxxxxxxxno"],
    "long": ["CvcvnoCvcvCvcv", "CvcvCvcvnoCvcv", "CvcvCvcvCvcvno", "CvccnoCvcvCvcv", "CvccCvcvnoCvcv",
             "CvccCvcvCvcvno", "CvcvnoCvccCvcv", "CvcvCvccnoCvcv", "CvcvCvccCvcvno", "CvcvnoCvcvCvcc",
             "CvcvCvcvnoCvcc", "CvcvCvcvCvccno", "CvccnoCvccCvcv", "CvccCvccnoCvcv", "CvccCvccCvcvno",
             "CvcvnoCvccCvcc", "CvcvCvccnoCvcc", "CvcvCvccCvccno", "CvccnoCvcvCvcc", "CvccCvcvnoCvcc",
             "CvccCvcvCvccno"],
    "medium": ["CvcnoCvc", "CvcCvcno"],
    "short": ["Cvcn"],
    "basic": ["aaanaaan", "aannaaan", "aaannaaa"],
    "pin": ["nnnn"],
}
_CHARS = {
    "V": "AEIOU", "C": "BCDFGHJKLMNPQRSTVWXYZ", "v": "aeiou", "c": "bcdfghjklmnpqrstvwxyz",
    "A": "AEIOUBCDFGHJKLMNPQRSTVWXYZ", "a": "AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz",
    "n": "0123456789", "o": "@&%?,=[]_:-+*$#!'^~;()/.",
    "x": "AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz0123456789!@#$%^&*()",
}
_SEED = b"com.lyndir.masterpassword"


def derive_password(counter: int, kind: str, password: str, user: str, site: str) -> str:
    templates = _TEMPLATES.get(kind)
    if templates is None:
        return f"cannot find password template {kind}"
    user_b, site_b = to_bytes(user), to_bytes(site)
    salt = _SEED + struct.pack(">I", len(user_b)) + user_b
    key = hashlib.scrypt(to_bytes(password), salt=salt, n=32768, r=8, p=2, dklen=64, maxmem=64 * 1024 * 1024)
    msg = _SEED + struct.pack(">I", len(site_b)) + site_b + struct.pack(">I", counter & 0xFFFFFFFF)
    seed = hmac.new(key, msg, hashlib.sha256).digest()
    template = templates[seed[0] % len(templates)]
    return "".join(_CHARS[c][seed[i + 1] % len(_CHARS[c])] for i, c in enumerate(template))


_reg("derivePassword", derive_password, ("uint32", "string", "string", "string", "string"))


# --- AES ------------------------------------------------------------------------------------


def _aes_key(password: str) -> bytes:
    return (to_bytes(password) + bytes(32))[:32]


def encrypt_aes(password: str, plaintext: str) -> str:
    if plaintext == "":
        return ""
    content = to_bytes(plaintext)
    pad = 16 - len(content) % 16
    content += bytes([pad]) * pad
    iv = os.urandom(16)
    return base64.b64encode(iv + _aes.cbc_encrypt(_aes_key(password), iv, content)).decode()


def decrypt_aes(password: str, crypt64: str) -> str:
    if crypt64 == "":
        return ""
    try:
        data = b64decode_go(crypt64)
    except _Corrupt as e:
        raise GoError(f"illegal base64 data at input byte {e.pos}") from None
    if len(data) < 16:
        cap = len(to_bytes(crypt64)) // 4 * 3  # base64.DecodeString's buffer capacity
        if cap < 16:
            raise GoError(f"runtime error: slice bounds out of range [:16] with capacity {cap}")
        raise GoError(f"runtime error: slice bounds out of range [16:{len(data)}]")
    iv, body = data[:16], data[16:]
    if len(body) % 16:
        raise GoError("crypto/cipher: input not full blocks")
    plain = _aes.cbc_decrypt(_aes_key(password), iv, body)
    if not plain:
        raise GoError("runtime error: index out of range [-1]")
    end = len(plain) - plain[-1]
    if end < 0:
        raise GoError(f"runtime error: slice bounds out of range [:{end}]")
    return to_gostr(plain[:end])


_reg("encryptAES", encrypt_aes, ("string", "string"), returns_error=True)
_reg("decryptAES", decrypt_aes, ("string", "string"), returns_error=True)


# --- keys and certificates ------------------------------------------------------------------


class Certificate(GoObject):
    """Sprig's `certificate` struct: {Cert, Key} PEM strings."""

    go_type = CERT
    go_kind = "struct"

    def __init__(self, cert: str = "", key: str = "") -> None:
        self.cert = cert
        self.key = key

    def go_field(self, name: str) -> Any:
        if name == "Cert":
            return self.cert
        if name == "Key":
            return self.key
        raise AttributeError(name)

    def go_fields_for_print(self) -> list[str]:
        return [self.cert, self.key]

    def go_json(self) -> dict[str, str]:
        return {"Cert": self.cert, "Key": self.key}

    def go_deep_equal(self, other: Any) -> bool:
        return isinstance(other, Certificate) and (other.cert, other.key) == (self.cert, self.key)


def gen_private_key(kind: str) -> str:
    if kind in ("", "rsa"):
        key: Any = _pki.generate_rsa(4096)
    elif kind == "dsa":
        key = _pki.generate_dsa()
    elif kind == "ecdsa":
        key = _pki.generate_ec()
    elif kind == "ed25519":
        key = _pki.Ed25519Key(secrets.token_bytes(32))
    else:
        return "Unknown type " + kind
    return _der.pem_encode(*key.pem())


def _parse_key(pem: str) -> Any:
    try:
        return _pki.parse_private_key_pem(pem)
    except _pki.KeyError_ as e:
        raise GoError(f"parsing private key: {e}") from None


def _strings(values: Any, what: str) -> list[str]:
    out = []
    for v in values or []:
        if not isinstance(v, str):
            from sidecarctl.gotemplate.gotypes import format_v

            raise GoError(f"{what}: {format_v(v)} is not a string")
        out.append(v)
    return out


def _template_parts(ips: Any, dns: Any) -> tuple[list[bytes], list[str]]:
    ip_texts = _strings(ips, "error parsing ip")
    parsed = []
    for text in ip_texts:
        ip = _pki.parse_ip(text)
        if ip is None:
            raise GoError(f"error parsing ip: {text}")
        parsed.append(ip)
    return parsed, _strings(dns, "error processing alternate dns name")


def _signable(key: Any) -> Any:
    if not hasattr(key, "sign"):
        raise GoError("error creating certificate: x509: certificate private key does not implement crypto.Signer")
    return key


def _issue(cn: str, ips: Any, dns: Any, days: int, is_ca: bool, key: Any, ca: Certificate | None = None) -> Certificate:
    ip_bytes, names = _template_parts(ips, dns)
    if ca is None:
        der_cert, _ = _pki.create_certificate(cn, ip_bytes, names, days, is_ca, _signable(key), _signable(key), None)
    else:
        block = _der.pem_decode(ca.cert)
        if block is None:
            raise GoError("unable to decode certificate")
        try:
            info = _pki.parse_certificate(block[1])
        except (_der.DERError, IndexError) as e:
            raise GoError(f"error parsing certificate: decodedSignerCert.Bytes: {e}") from None
        try:
            signer = _pki.parse_private_key_pem(ca.key)
        except _pki.KeyError_ as e:
            raise GoError(f"error parsing private key: {e}") from None
        der_cert, _ = _pki.create_certificate(cn, ip_bytes, names, days, False, key, _signable(signer), info)
    if not hasattr(key, "pem"):
        raise GoError("error pem-encoding key: pem: cannot encode a nil block")
    return Certificate(_der.pem_encode("CERTIFICATE", der_cert), _der.pem_encode(*key.pem()))


def _ca_arg(ca: Any) -> Certificate:
    if isinstance(ca, Certificate):
        return ca
    raise GoError(f"wrong type for value; expected {CERT}")


def build_custom_cert(b64cert: str, b64key: str) -> Certificate:
    try:
        cert = b64decode_go(b64cert)
    except _Corrupt:
        raise GoError("unable to decode base64 certificate") from None
    try:
        key = b64decode_go(b64key)
    except _Corrupt:
        raise GoError("unable to decode base64 private key") from None
    block = _der.pem_decode(to_gostr(cert))
    if block is None:
        raise GoError("unable to decode certificate")
    try:
        _pki.parse_certificate(block[1])
    except (_der.DERError, IndexError) as e:
        raise GoError(f"error parsing certificate: decodedCert.Bytes: {e}") from None
    try:
        _pki.parse_private_key_pem(to_gostr(key))
    except _pki.KeyError_ as e:
        raise GoError(f"error parsing private key: {e}") from None
    return Certificate(to_gostr(cert), to_gostr(key))


LIST = "[]interface {}"
_reg("genPrivateKey", gen_private_key, ("string",))
_reg("buildCustomCert", build_custom_cert, ("string", "string"), CERT, True)
_reg("genCA", lambda cn, days: _issue(cn, None, None, days, True, _pki.generate_rsa(2048)), ("string", "int"), CERT, True)
_reg("genCAWithKey", lambda cn, days, pem: _issue(cn, None, None, days, True, _parse_key(pem)), ("string", "int", "string"), CERT, True)
_reg("genSelfSignedCert", lambda cn, ips, dns, days: _issue(cn, ips, dns, days, False, _pki.generate_rsa(2048)),
     ("string", LIST, LIST, "int"), CERT, True)
_reg("genSelfSignedCertWithKey", lambda cn, ips, dns, days, pem: _issue(cn, ips, dns, days, False, _parse_key(pem)),
     ("string", LIST, LIST, "int", "string"), CERT, True)
_reg("genSignedCert", lambda cn, ips, dns, days, ca: _issue(cn, ips, dns, days, False, _pki.generate_rsa(2048), _ca_arg(ca)),
     ("string", LIST, LIST, "int", CERT), CERT, True)
_reg("genSignedCertWithKey", lambda cn, ips, dns, days, ca, pem: _issue(cn, ips, dns, days, False, _parse_key(pem), _ca_arg(ca)),
     ("string", LIST, LIST, "int", CERT, "string"), CERT, True)
