"""Sprig's crypto functions (crypto.go): hashes, bcrypt/htpasswd, derivePassword, random bytes
and UUIDs, AES-CBC encryptAES/decryptAES, private keys and X.509 certificates.

Every cipher, signature, key and certificate operation is the `cryptography` package's (OpenSSL),
bcrypt is the `bcrypt` package's; this module only arranges them as Sprig 3.2.3 on Go 1.19 does:
the same key sizes and PEM block types (x509.MarshalPKCS1PrivateKey's "RSA PRIVATE KEY",
MarshalECPrivateKey's "EC PRIVATE KEY", PKCS#8 "PRIVATE KEY" for ed25519, Sprig's own
{0, P, Q, G, Y, X} "DSA PRIVATE KEY", which is OpenSSL's traditional DSA layout), the same
certificate fields and extension order as _c.x509.CreateCertificate writes for Sprig's template, and
Sprig's error texts."""

from __future__ import annotations

import base64
import datetime as _dt
import ipaddress
import os
import struct
import warnings
import zlib
from typing import Any

from sidecarctl.gotemplate import budget
from sidecarctl.gotemplate._lazy import lazy_module
from sidecarctl.gotemplate.gotypes import GoError, GoFunc, GoObject, format_v

from ._util import to_bytes, to_gostr
from .encoding import _Corrupt, b64decode_go


class _Libraries:
    """cryptography's and bcrypt's modules, imported when a function first needs one (~45 ms: a
    template calling sha256sum should not pay for OpenSSL's bindings)."""

    def __getattr__(self, name: str) -> Any:
        import bcrypt
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed25519, rsa
        from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
        from cryptography.x509 import oid

        with warnings.catch_warnings():  # cryptography deprecates DSA (warning on each use); Sprig offers it
            warnings.simplefilter("ignore")
            dsa_names = {
                "DSAPrivateKey": dsa.DSAPrivateKey,
                "DSAPublicKey": dsa.DSAPublicKey,
                "dsa_parameters": dsa.generate_parameters,
            }
        self.__dict__.update(
            bcrypt=bcrypt,
            x509=x509,
            hashes=hashes,
            ser=serialization,
            ec=ec,
            ed25519=ed25519,
            rsa=rsa,
            Cipher=Cipher,
            algorithms=algorithms,
            modes=modes,
            oid=oid,
            **dsa_names,
        )
        return self.__dict__[name]


_c = _Libraries()
hashlib = lazy_module("hashlib")
secrets = lazy_module("secrets")
hmac = lazy_module("hmac")
uuid = lazy_module("uuid")

FUNCS: dict[str, GoFunc] = {}
CERT = "sprig.certificate"


def _reg(name: str, fn: Any, params: tuple[str, ...], result: str = "string", returns_error: bool = False) -> None:
    FUNCS[name] = GoFunc(name, fn, params, False, returns_error, result)


# --- hashes ---------------------------------------------------------------------------------

_reg("sha1sum", lambda s: hashlib.sha1(to_bytes(s)).hexdigest(), ("string",))
_reg("sha256sum", lambda s: hashlib.sha256(to_bytes(s)).hexdigest(), ("string",))
_reg("adler32sum", lambda s: str(zlib.adler32(to_bytes(s))), ("string",))


# --- bcrypt ---------------------------------------------------------------------------------
# Go's x/crypto/bcrypt: "$2a$", cost 10, at most 72 bytes of the password.


def bcrypt_hash(password: str) -> str:
    budget.check_time()
    raw = to_bytes(password)
    if b"\x00" in raw:
        raw = raw[: raw.index(b"\x00")]  # the bcrypt package refuses NUL; Go would hash on (rare)
    try:
        return _c.bcrypt.hashpw(raw[:72], _c.bcrypt.gensalt(10, prefix=b"2a")).decode()
    except ValueError as e:
        return f"failed to encrypt string with bcrypt: {e}"


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
    budget.charge_output(count * 4 // 3 + 4)
    return base64.b64encode(os.urandom(count)).decode()


_reg("randBytes", rand_bytes, ("int",), returns_error=True)
_reg("uuidv4", lambda: str(uuid.uuid4()), ())


# --- derivePassword (Master Password algorithm) ----------------------------------------------

_TEMPLATES = {
    "maximum": ["anoxxxxxxxxxxxxxxxxx", "axxxxxxxxxxxxxxxxxno"],
    "long": [
        "CvcvnoCvcvCvcv",
        "CvcvCvcvnoCvcv",
        "CvcvCvcvCvcvno",
        "CvccnoCvcvCvcv",
        "CvccCvcvnoCvcv",
        "CvccCvcvCvcvno",
        "CvcvnoCvccCvcv",
        "CvcvCvccnoCvcv",
        "CvcvCvccCvcvno",
        "CvcvnoCvcvCvcc",
        "CvcvCvcvnoCvcc",
        "CvcvCvcvCvccno",
        "CvccnoCvccCvcv",
        "CvccCvccnoCvcv",
        "CvccCvccCvcvno",
        "CvcvnoCvccCvcc",
        "CvcvCvccnoCvcc",
        "CvcvCvccCvccno",
        "CvccnoCvcvCvcc",
        "CvccCvcvnoCvcc",
        "CvccCvcvCvccno",
    ],
    "medium": ["CvcnoCvc", "CvcCvcno"],
    "short": ["Cvcn"],
    "basic": ["aaanaaan", "aannaaan", "aaannaaa"],
    "pin": ["nnnn"],
}
_CHARS = {
    "V": "AEIOU",
    "C": "BCDFGHJKLMNPQRSTVWXYZ",
    "v": "aeiou",
    "c": "bcdfghjklmnpqrstvwxyz",
    "A": "AEIOUBCDFGHJKLMNPQRSTVWXYZ",
    "a": "AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz",
    "n": "0123456789",
    "o": "@&%?,=[]_:-+*$#!'^~;()/.",
    "x": "AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz0123456789!@#$%^&*()",
}
_SEED = b"com.lyndir.masterpassword"


def derive_password(counter: int, kind: str, password: str, user: str, site: str) -> str:
    budget.check_time()  # scrypt with N=32768: ~0.1 s each
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


def _aes_cbc(key: bytes, iv: bytes, data: bytes, encrypt: bool) -> bytes:
    cipher = _c.Cipher(_c.algorithms.AES(key), _c.modes.CBC(iv))
    op = cipher.encryptor() if encrypt else cipher.decryptor()
    return op.update(data) + op.finalize()


def encrypt_aes(password: str, plaintext: str) -> str:
    if plaintext == "":
        return ""
    content = to_bytes(plaintext)
    pad = 16 - len(content) % 16
    budget.charge_output((len(content) + pad + 16) * 4 // 3)
    content += bytes([pad]) * pad
    iv = os.urandom(16)
    return base64.b64encode(iv + _aes_cbc(_aes_key(password), iv, content, True)).decode()


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
    plain = _aes_cbc(_aes_key(password), iv, body, False)
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


def _generate(kind: str) -> Any:
    """A new key of Sprig's kind: RSA 4096 ("" or "rsa"), DSA L2048N256, ECDSA P-256, ed25519;
    None for an unknown kind. `budget.check_time` first: each takes up to a second."""
    budget.check_time()
    if kind in ("", "rsa"):
        return _c.rsa.generate_private_key(public_exponent=65537, key_size=4096)
    if kind == "dsa":
        with warnings.catch_warnings():  # cryptography deprecates DSA; Sprig still offers it
            warnings.simplefilter("ignore")
            return _c.dsa_parameters(key_size=2048).generate_private_key()
    if kind == "ecdsa":
        return _c.ec.generate_private_key(_c.ec.SECP256R1())
    if kind == "ed25519":
        return _c.ed25519.Ed25519PrivateKey.generate()
    return None


def _rsa_2048() -> Any:
    """The key genCA, genSelfSignedCert and genSignedCert make (rsa.GenerateKey(rand.Reader, 2048))."""
    budget.check_time()
    return _c.rsa.generate_private_key(public_exponent=65537, key_size=2048)


def key_pem(key: Any) -> str:
    """Sprig's pemBlockForKey: PKCS#1 for RSA, SEC 1 for EC, Sprig's DSA layout (OpenSSL's
    traditional one), PKCS#8 for ed25519."""
    if isinstance(key, _c.ed25519.Ed25519PrivateKey):
        fmt = _c.ser.PrivateFormat.PKCS8
    else:
        fmt = _c.ser.PrivateFormat.TraditionalOpenSSL
    with warnings.catch_warnings():  # DSA is deprecated in cryptography
        warnings.simplefilter("ignore")
        return key.private_bytes(_c.ser.Encoding.PEM, fmt, _c.ser.NoEncryption()).decode()


def gen_private_key(kind: str) -> str:
    key = _generate(kind)
    if key is None:
        return "Unknown type " + kind
    return key_pem(key)


class _KeyError(Exception):
    pass


def pem_block(text: str) -> tuple[str, bytes] | None:
    """Go's pem.Decode, enough for Sprig: the first block's type and bytes, or None."""
    start = text.find("-----BEGIN ")
    if start < 0:
        return None
    type_end = text.find("-----", start + 11)
    if type_end < 0:
        return None
    kind = text[start + 11 : type_end]
    end = text.find(f"-----END {kind}-----", type_end)
    if end < 0:
        return None
    try:
        return kind, base64.b64decode("".join(text[type_end + 5 : end].split()), validate=True)
    except ValueError:
        return None


def parse_private_key_pem(text: str) -> Any:
    """Sprig's parsePrivateKeyPEM: PKCS#8, PKCS#1 RSA, SEC 1 EC or Sprig's DSA layout."""
    block = pem_block(text)
    if block is None:
        raise _KeyError("no PEM data in input")
    kind, data = block
    if kind == "PRIVATE KEY":
        key = _load_der_key(data, "decoding PEM as PKCS#8")
        if not isinstance(key, (_c.rsa.RSAPrivateKey, _c.ec.EllipticCurvePrivateKey, _c.ed25519.Ed25519PrivateKey)):
            raise _KeyError(
                "decoding PEM as PKCS#8: x509: PKCS#8 wrapping contained private key with unknown algorithm"
            )
        return key
    if not kind.endswith(" PRIVATE KEY"):
        raise _KeyError(f"no private key data in PEM block of type {kind}")
    algo = kind[:-12]
    wanted = {"RSA": _c.rsa.RSAPrivateKey, "EC": _c.ec.EllipticCurvePrivateKey, "DSA": _c.DSAPrivateKey}.get(algo)
    if wanted is None:
        raise _KeyError(f"invalid private key type {kind}")
    prefix = f"parsing {algo} private key from PEM"
    key = _load_der_key(data, prefix)
    # OpenSSL reads PKCS#8 and every traditional layout alike; Go's parser for this block type
    # reads only its own layout, so a key of another type, or one wrapped in PKCS#8, fails.
    if not isinstance(key, wanted) or _ser_der(key, _c.ser.PrivateFormat.PKCS8) == data:
        raise _KeyError(f"{prefix}: x509: failed to parse private key (not a PKCS#1/SEC 1/DSA {algo} key)")
    if isinstance(key, _c.ec.EllipticCurvePrivateKey) and not isinstance(
        key.curve, (_c.ec.SECP224R1, _c.ec.SECP256R1, _c.ec.SECP384R1, _c.ec.SECP521R1)
    ):
        raise _KeyError(f"{prefix}: x509: unknown elliptic curve")
    return key


def _ser_der(key: Any, fmt: Any) -> bytes:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return bytes(key.private_bytes(_c.ser.Encoding.DER, fmt, _c.ser.NoEncryption()))


def _load_der_key(data: bytes, prefix: str) -> Any:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return _c.ser.load_der_private_key(data, None)
    except (ValueError, TypeError) as e:
        raise _KeyError(f"{prefix}: {_first_line(e)}") from None


def _first_line(e: Exception) -> str:
    text = str(e).strip()
    return text.splitlines()[0] if text else type(e).__name__


def _parse_key(pem: str) -> Any:
    try:
        return parse_private_key_pem(pem)
    except _KeyError as e:
        raise GoError(f"parsing private key: {e}") from None


def _strings(values: Any, what: str) -> list[str]:
    out = []
    for v in values or []:
        if not isinstance(v, str):
            raise GoError(f"{what}: {format_v(v)} is not a string")
        out.append(v)
    return out


def parse_ip(text: str) -> Any:
    """net.ParseIP as x509 writes it: an IPv4-mapped IPv6 address becomes its IPv4 form."""
    try:
        ip = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        return ip.ipv4_mapped
    return ip


def _template_parts(ips: Any, dns: Any) -> tuple[list[Any], list[str]]:
    ip_texts = _strings(ips, "error parsing ip")
    parsed = []
    for text in ip_texts:
        ip = parse_ip(text)
        if ip is None:
            raise GoError(f"error parsing ip: {text}")
        parsed.append(ip)
    return parsed, _strings(dns, "error processing alternate dns name")


# Go's asn1 writes a string as PrintableString when every byte is in this set, else UTF8String.
_PRINTABLE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 '()+,-./:=?*")


def _name(cn: str) -> Any:
    """pkix.Name{CommonName: cn}: no attribute at all for an empty name."""
    if not cn:
        return _c.x509.Name([])
    string_type = _c.x509.name._ASN1Type.PrintableString if set(cn) <= _PRINTABLE else _c.x509.name._ASN1Type.UTF8String
    return _c.x509.Name([_c.x509.NameAttribute(_c.oid.NameOID.COMMON_NAME, cn, _type=string_type)])


def _sign_hash(key: Any) -> Any:
    """The signature hash Go picks for the signing key (ed25519 signs the message itself); an
    error in Go's words for a key that cannot sign (DSA)."""
    if isinstance(key, (_c.rsa.RSAPrivateKey, _c.ec.EllipticCurvePrivateKey)):
        return _c.hashes.SHA256()
    if isinstance(key, _c.ed25519.Ed25519PrivateKey):
        return None
    raise GoError("error creating certificate: x509: certificate private key does not implement crypto.Signer")


def _create_certificate(cn: str, ips: Any, dns: Any, days: int, is_ca: bool, key: Any, signer: Any, parent: Any) -> Any:
    """_c.x509.CreateCertificate(template, parent, key's public key, signer) for Sprig's template
    (getBaseCertTemplate); `parent` None: self-signed."""
    ip_list, names = _template_parts(ips, dns)
    sign_hash = _sign_hash(signer)
    public = key.public_key()
    if isinstance(public, _c.DSAPublicKey):
        raise GoError("error creating certificate: x509: unsupported public key type: *dsa.PublicKey")
    now = _dt.datetime.now(_dt.UTC).replace(microsecond=0)
    subject = _name(cn)
    serial = 0
    while serial == 0:  # rand.Int(2**128); cryptography refuses a zero serial
        serial = secrets.randbelow(1 << 128)
    builder = (
        _c.x509.CertificateBuilder()
        .serial_number(serial)
        .issuer_name(parent.subject if parent is not None else subject)
        .subject_name(subject)
        .public_key(public)
    )
    try:
        builder = builder.not_valid_before(now).not_valid_after(now + _dt.timedelta(days=days))
    except (ValueError, OverflowError) as e:
        raise GoError(f"error creating certificate: {_first_line(e)}") from None
    builder = builder.add_extension(
        _c.x509.KeyUsage(
            digital_signature=True,
            content_commitment=False,
            key_encipherment=True,
            data_encipherment=False,
            key_agreement=False,
            key_cert_sign=is_ca,
            crl_sign=False,
            encipher_only=False,
            decipher_only=False,
        ),
        critical=True,
    )
    builder = builder.add_extension(
        _c.x509.ExtendedKeyUsage([_c.oid.ExtendedKeyUsageOID.SERVER_AUTH, _c.oid.ExtendedKeyUsageOID.CLIENT_AUTH]),
        critical=False,
    )
    builder = builder.add_extension(_c.x509.BasicConstraints(ca=is_ca, path_length=None), critical=True)
    if is_ca:  # Go derives a CA's subject key id from its public key
        builder = builder.add_extension(_c.x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
    if parent is not None and parent.subject.public_bytes() != subject.public_bytes():
        try:
            ski = parent.extensions.get_extension_for_class(_c.x509.SubjectKeyIdentifier).value.digest
        except _c.x509.ExtensionNotFound:
            ski = b""
        if ski:
            builder = builder.add_extension(_c.x509.AuthorityKeyIdentifier(ski, None, None), critical=False)
    if names or ip_list:
        sans = [_c.x509.DNSName(n) for n in names] + [_c.x509.IPAddress(ip) for ip in ip_list]
        builder = builder.add_extension(_c.x509.SubjectAlternativeName(sans), critical=False)
    try:
        return builder.sign(signer, sign_hash)
    except (ValueError, TypeError) as e:
        raise GoError(f"error creating certificate: {_first_line(e)}") from None


def _issue(cn: str, ips: Any, dns: Any, days: int, is_ca: bool, key: Any, ca: Certificate | None = None) -> Certificate:
    budget.check_time()
    if ca is None:
        cert = _create_certificate(cn, ips, dns, days, is_ca, key, key, None)
    else:
        block = pem_block(ca.cert)
        if block is None:
            raise GoError("unable to decode certificate")
        parent = _parse_certificate(block[1], "error parsing certificate: decodedSignerCert.Bytes")
        try:
            signer = parse_private_key_pem(ca.key)
        except _KeyError as e:
            raise GoError(f"error parsing private key: {e}") from None
        cert = _create_certificate(cn, ips, dns, days, False, key, signer, parent)
    return Certificate(cert.public_bytes(_c.ser.Encoding.PEM).decode(), key_pem(key))


def _parse_certificate(der: bytes, what: str) -> Any:
    try:
        return _c.x509.load_der_x509_certificate(der)
    except ValueError as e:
        raise GoError(f"{what}: {_first_line(e)}") from None


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
    block = pem_block(to_gostr(cert))
    if block is None:
        raise GoError("unable to decode certificate")
    _parse_certificate(block[1], "error parsing certificate: decodedCert.Bytes")
    try:
        parse_private_key_pem(to_gostr(key))
    except _KeyError as e:
        raise GoError(f"error parsing private key: {e}") from None
    return Certificate(to_gostr(cert), to_gostr(key))


LIST = "[]interface {}"
_reg("genPrivateKey", gen_private_key, ("string",))
_reg("buildCustomCert", build_custom_cert, ("string", "string"), CERT, True)
_reg("genCA", lambda cn, days: _issue(cn, None, None, days, True, _rsa_2048()), ("string", "int"), CERT, True)
_reg(
    "genCAWithKey",
    lambda cn, days, pem: _issue(cn, None, None, days, True, _parse_key(pem)),
    ("string", "int", "string"),
    CERT,
    True,
)
_reg(
    "genSelfSignedCert",
    lambda cn, ips, dns, days: _issue(cn, ips, dns, days, False, _rsa_2048()),
    ("string", LIST, LIST, "int"),
    CERT,
    True,
)
_reg(
    "genSelfSignedCertWithKey",
    lambda cn, ips, dns, days, pem: _issue(cn, ips, dns, days, False, _parse_key(pem)),
    ("string", LIST, LIST, "int", "string"),
    CERT,
    True,
)
_reg(
    "genSignedCert",
    lambda cn, ips, dns, days, ca: _issue(cn, ips, dns, days, False, _rsa_2048(), _ca_arg(ca)),
    ("string", LIST, LIST, "int", CERT),
    CERT,
    True,
)
_reg(
    "genSignedCertWithKey",
    lambda cn, ips, dns, days, ca, pem: _issue(cn, ips, dns, days, False, _parse_key(pem), _ca_arg(ca)),
    ("string", LIST, LIST, "int", CERT, "string"),
    CERT,
    True,
)
