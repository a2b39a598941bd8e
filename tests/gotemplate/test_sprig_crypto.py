"""Sprig crypto functions against Go: crypto.go: the deterministic functions here; random ones are checked by their properties below.

Each row calls SPRIG_FUNCS[name](*args) directly; `expected` is what Go 1.19 + Sprig 3.2.3 (the
oracle in shared/gotemplate-oracle) printed for the same call: `v` is `{{ name args }}`, `type`
is `typeOf`, `kind` is `kindOf`, `json` is `toJson` of the result; `err` rows hold the text after
`error calling name: `. Regenerate expectations with the oracle when a row is added."""

from __future__ import annotations

from typing import Any

import pytest
from sprig_rows import Lazy, check, utc  # noqa: F401 - utc is an autouse fixture

from sidecarctl.gotemplate.gotypes import GoError, GoMap, GoSlice, Int64, Uint8, format_v, kind_name, type_name
from sidecarctl.gotemplate.sprig import SPRIG_FUNCS
from sidecarctl.gotemplate.sprig._util import NilList

_ = (Any, GoError, GoMap, GoSlice, Int64, Uint8, NilList, format_v, kind_name, type_name, SPRIG_FUNCS)

CASES = [
    pytest.param("v", "sha1sum", ["hello world"], "ok", "2aae6c35c94fcfb415dbe95f408b9ce91ee846ed", id="sha1sum"),
    pytest.param("v", "sha1sum", [""], "ok", "da39a3ee5e6b4b0d3255bfef95601890afd80709", id="sha1sum-empty"),
    pytest.param(
        "v",
        "sha256sum",
        ["héllo"],
        "ok",
        "3c48591d8d098a4538f5e013dfcf406e948eac4d3277b10bf614e295d6068179",
        id="sha256sum",
    ),
    pytest.param("v", "adler32sum", ["Wikipedia"], "ok", "300286872", id="adler32sum"),
    pytest.param("v", "adler32sum", [""], "ok", "1", id="adler32sum-empty"),
    pytest.param(
        "v",
        "derivePassword",
        [1, "long", "password", "user", "example.com"],
        "ok",
        "ZedaFaxcZaso9*",
        id="derivePassword-long",
    ),
    pytest.param(
        "v",
        "derivePassword",
        [3, "maximum", "pw", "ü", "site"],
        "ok",
        "xDI^p6ohfIL!8WKhko4;",
        id="derivePassword-maximum",
    ),
    pytest.param("v", "derivePassword", [0, "pin", "", "", ""], "ok", "2847", id="derivePassword-pin"),
    pytest.param("v", "derivePassword", [7, "basic", "p", "u", "s"], "ok", "VZk24LAy", id="derivePassword-basic"),
    pytest.param(
        "v",
        "derivePassword",
        [1, "x", "", "", ""],
        "ok",
        "cannot find password template x",
        id="derivePassword-unknown",
    ),
    pytest.param("v", "decryptAES", ["secret", ""], "ok", "", id="decryptAES-empty"),
    pytest.param(
        "v",
        "decryptAES",
        ["secret", "/B/TFu6WuhlCfJ5o27mGCckCko0oUn3uH/IyBwtdwaw="],
        "ok",
        "hello world",
        id="decryptAES-known",
    ),
    pytest.param(
        "v", "decryptAES", ["secret", "abc"], "err", "illegal base64 data at input byte 0", id="decryptAES-bad-base64"
    ),
    pytest.param(
        "v",
        "decryptAES",
        ["secret", "YWJj"],
        "err",
        "runtime error: slice bounds out of range [:16] with capacity 3",
        id="decryptAES-short",
    ),
    pytest.param(
        "v",
        "decryptAES",
        ["secret", "YWJjZGVmZ2hpamtsbW5vcHE="],
        "err",
        "crypto/cipher: input not full blocks",
        id="decryptAES-partial-block",
    ),
    pytest.param(
        "v",
        "decryptAES",
        ["secret", "YWJjZGVmZ2hpamtsbW5vcA=="],
        "err",
        "runtime error: index out of range [-1]",
        id="decryptAES-iv-only",
    ),
    pytest.param("v", "encryptAES", ["secret", ""], "ok", "", id="encryptAES-empty"),
    pytest.param("v", "htpasswd", ["a:b", "pw"], "ok", "invalid username: a:b", id="htpasswd-bad-user"),
    pytest.param("v", "genPrivateKey", ["foo"], "ok", "Unknown type foo", id="genPrivateKey-unknown"),
    pytest.param(
        "v",
        "buildCustomCert",
        ["!", "YQ=="],
        "err",
        "unable to decode base64 certificate",
        id="buildCustomCert-bad-cert-b64",
    ),
    pytest.param(
        "v",
        "buildCustomCert",
        ["YQ==", "!"],
        "err",
        "unable to decode base64 private key",
        id="buildCustomCert-bad-key-b64",
    ),
    pytest.param(
        "v", "buildCustomCert", ["YQ==", "YQ=="], "err", "unable to decode certificate", id="buildCustomCert-no-pem"
    ),
    pytest.param("v", "randBytes", [0], "ok", "", id="randBytes-zero"),
    pytest.param("v", "randAlpha", [0], "ok", "", id="randAlpha-zero"),
    pytest.param("v", "randNumeric", [-1], "ok", "", id="randNumeric-negative"),
]


@pytest.mark.parametrize(("kind", "name", "args", "status", "expected"), CASES)
def test_matches_go(kind: str, name: str, args: list[Any], status: str, expected: str) -> None:
    check(kind, name, args, status, expected)


import base64
import re
import shutil
import subprocess

from sidecarctl.gotemplate.sprig.crypto import Certificate, key_pem, parse_private_key_pem


def test_aes_round_trip() -> None:
    for text in ["x", "exactly sixteen!", "héllo " * 10]:
        sealed = SPRIG_FUNCS["encryptAES"]("k" * 40, text)
        assert len(base64.b64decode(sealed)) % 16 == 0
        assert SPRIG_FUNCS["decryptAES"]("k" * 40, sealed) == text


def test_random_strings() -> None:
    assert re.fullmatch(r"[A-Za-z0-9]{20}", SPRIG_FUNCS["randAlphaNum"](20))
    assert re.fullmatch(r"[A-Za-z]{20}", SPRIG_FUNCS["randAlpha"](20))
    assert re.fullmatch(r"[0-9]{20}", SPRIG_FUNCS["randNumeric"](20))
    assert re.fullmatch(r"[ -~]{20}", SPRIG_FUNCS["randAscii"](20))
    assert len(base64.b64decode(SPRIG_FUNCS["randBytes"](24))) == 24
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", SPRIG_FUNCS["uuidv4"]())
    assert sorted(SPRIG_FUNCS["shuffle"]("hello")) == sorted("hello")
    assert 3 <= SPRIG_FUNCS["randInt"](3, 5) < 5
    with pytest.raises(GoError, match="invalid argument to Intn"):
        SPRIG_FUNCS["randInt"](5, 5)


def test_bcrypt_shape() -> None:
    hashed = SPRIG_FUNCS["bcrypt"]("password")
    assert re.fullmatch(r"\$2a\$10\$[./A-Za-z0-9]{53}", hashed)
    user, _, rest = SPRIG_FUNCS["htpasswd"]("admin", "pw").partition(":")
    assert user == "admin" and rest.startswith("$2a$10$")


# The tests name cryptography's DSA classes, which warn on use (the module under test silences it)
pytestmark = pytest.mark.filterwarnings("ignore:DSA is deprecated")

PEM_TYPES = [
    ("ecdsa", "EC PRIVATE KEY"),
    ("ed25519", "PRIVATE KEY"),
    ("rsa", "RSA PRIVATE KEY"),
    ("", "RSA PRIVATE KEY"),
    ("dsa", "DSA PRIVATE KEY"),
]


@pytest.mark.parametrize("kind,block", PEM_TYPES, ids=[k or "default" for k, _ in PEM_TYPES])
def test_private_keys_have_gos_block_type_and_parse_back(kind: str, block: str) -> None:
    pem = SPRIG_FUNCS["genPrivateKey"](kind)
    assert pem.startswith(f"-----BEGIN {block}-----\n") and pem.endswith(f"-----END {block}-----\n")
    assert all(len(line) <= 64 for line in pem.splitlines())  # Go's pem.Encode wraps at 64
    assert key_pem(parse_private_key_pem(pem)) == pem


def test_key_sizes_are_sprigs() -> None:
    from cryptography.hazmat.primitives.asymmetric import dsa, ec, rsa

    rsa_key = parse_private_key_pem(SPRIG_FUNCS["genPrivateKey"]("rsa"))
    assert isinstance(rsa_key, rsa.RSAPrivateKey) and rsa_key.key_size == 4096
    assert rsa_key.private_numbers().public_numbers.e == 65537
    dsa_key = parse_private_key_pem(SPRIG_FUNCS["genPrivateKey"]("dsa"))
    params = dsa_key.parameters().parameter_numbers()
    assert isinstance(dsa_key, dsa.DSAPrivateKey) and (params.p.bit_length(), params.q.bit_length()) == (2048, 256)
    ec_key = parse_private_key_pem(SPRIG_FUNCS["genPrivateKey"]("ecdsa"))
    assert isinstance(ec_key, ec.EllipticCurvePrivateKey) and ec_key.curve.name == "secp256r1"


def test_dsa_key_is_sprigs_asn1_layout() -> None:
    """Sprig writes asn1.Marshal(DSAKeyFormat{Version 0, P, Q, G, Y, X}): a SEQUENCE of six
    INTEGERs, which is OpenSSL's traditional layout. Checked by reading it as that structure."""
    from cryptography.hazmat.primitives.asymmetric import dsa

    pem = SPRIG_FUNCS["genPrivateKey"]("dsa")
    der = base64.b64decode("".join(pem.splitlines()[1:-1]))
    numbers = parse_private_key_pem(pem).private_numbers()
    pub = numbers.public_numbers
    fields = [0, pub.parameter_numbers.p, pub.parameter_numbers.q, pub.parameter_numbers.g, pub.y, numbers.x]
    body = b"".join(_der_integer(v) for v in fields)
    assert der == _der_tlv(0x30, body)
    assert isinstance(parse_private_key_pem(pem), dsa.DSAPrivateKey)


def _der_tlv(tag: int, body: bytes) -> bytes:  # test oracle only: the expected bytes, written out
    n = len(body)
    length = (
        bytes([n])
        if n < 0x80
        else bytes([0x80 | ((n.bit_length() + 7) // 8)]) + n.to_bytes((n.bit_length() + 7) // 8, "big")
    )
    return bytes([tag]) + length + body


def _der_integer(v: int) -> bytes:
    return _der_tlv(0x02, v.to_bytes(v.bit_length() // 8 + 1, "big"))


@pytest.mark.parametrize(
    "block,body,message",
    [
        ("FOO", "YQ==", "parsing private key: no private key data in PEM block of type FOO"),
        ("XYZ PRIVATE KEY", "YQ==", "parsing private key: invalid private key type XYZ PRIVATE KEY"),
        ("RSA PRIVATE KEY", "YQ==", "parsing private key: parsing RSA private key from PEM: "),
        ("PRIVATE KEY", "YQ==", "parsing private key: decoding PEM as PKCS#8: "),
    ],
    ids=["not-a-key", "unknown-type", "bad-rsa", "bad-pkcs8"],
)
def test_private_key_errors(block: str, body: str, message: str) -> None:
    pem = f"-----BEGIN {block}-----\n{body}\n-----END {block}-----\n"
    with pytest.raises(GoError) as e:
        SPRIG_FUNCS["genCAWithKey"]("x", 1, pem)
    assert str(e.value).startswith(message)


def test_key_of_another_type_in_a_typed_block_fails_as_in_go() -> None:
    ec_pem = SPRIG_FUNCS["genPrivateKey"]("ecdsa")
    relabelled = ec_pem.replace("EC PRIVATE KEY", "RSA PRIVATE KEY")
    with pytest.raises(GoError, match="parsing RSA private key from PEM: x509: failed to parse private key"):
        SPRIG_FUNCS["genCAWithKey"]("x", 1, relabelled)


def test_certificate_fields_are_sprigs() -> None:
    from cryptography import x509
    from cryptography.x509.oid import ExtendedKeyUsageOID, ExtensionOID, NameOID

    ca = SPRIG_FUNCS["genCA"]("my-ca", 365)
    leaf = SPRIG_FUNCS["genSignedCert"]("svc é", ["10.0.0.1"], ["svc.example"], 30, ca)
    ca_cert = x509.load_pem_x509_certificate(ca.cert.encode())
    cert = x509.load_pem_x509_certificate(leaf.cert.encode())
    assert cert.version == x509.Version.v3 and 0 < cert.serial_number < 1 << 128
    assert cert.issuer == ca_cert.subject
    assert [e.oid for e in cert.extensions] == [
        ExtensionOID.KEY_USAGE,
        ExtensionOID.EXTENDED_KEY_USAGE,
        ExtensionOID.BASIC_CONSTRAINTS,
        ExtensionOID.AUTHORITY_KEY_IDENTIFIER,
        ExtensionOID.SUBJECT_ALTERNATIVE_NAME,
    ]
    assert [e.oid for e in ca_cert.extensions] == [
        ExtensionOID.KEY_USAGE,
        ExtensionOID.EXTENDED_KEY_USAGE,
        ExtensionOID.BASIC_CONSTRAINTS,
        ExtensionOID.SUBJECT_KEY_IDENTIFIER,
    ]
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage)
    assert usage.critical and usage.value.digital_signature and usage.value.key_encipherment
    assert (
        not usage.value.key_cert_sign and ca_cert.extensions.get_extension_for_class(x509.KeyUsage).value.key_cert_sign
    )
    assert list(cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value) == [
        ExtendedKeyUsageOID.SERVER_AUTH,
        ExtendedKeyUsageOID.CLIENT_AUTH,
    ]
    assert cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca is False
    assert ca_cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca is True
    aki = cert.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier).value.key_identifier
    assert aki == ca_cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value.digest
    assert (cert.not_valid_after_utc - cert.not_valid_before_utc).days == 30
    # Go's asn1: PrintableString when it can, UTF8String otherwise
    assert ca_cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0]._type.name == "PrintableString"
    assert cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0]._type.name == "UTF8String"


def test_dsa_keys_cannot_sign_certificates_as_in_go() -> None:
    dsa_pem = SPRIG_FUNCS["genPrivateKey"]("dsa")
    with pytest.raises(
        GoError, match="^error creating certificate: x509: certificate private key does not implement crypto.Signer$"
    ):
        SPRIG_FUNCS["genSelfSignedCertWithKey"]("x", [], [], 1, dsa_pem)
    ca = SPRIG_FUNCS["genCAWithKey"]("ca", 1, SPRIG_FUNCS["genPrivateKey"]("ecdsa"))
    with pytest.raises(GoError, match="unsupported public key type: \\*dsa.PublicKey"):
        SPRIG_FUNCS["genSignedCertWithKey"]("x", [], [], 1, ca, dsa_pem)


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl not installed")
@pytest.mark.parametrize("kind", ["rsa", "ecdsa", "ed25519", "dsa"])
def test_openssl_reads_the_keys(kind: str) -> None:
    result = _openssl("pkey", "-noout", "-text", data=SPRIG_FUNCS["genPrivateKey"](kind))
    assert result.returncode == 0, result.stderr


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl not installed")
def test_encrypt_aes_is_openssls_aes_256_cbc(tmp_path: Any) -> None:
    """Go's layout: base64(IV || AES-256-CBC(key = password zero-padded to 32 bytes, PKCS#7))."""
    sealed = base64.b64decode(SPRIG_FUNCS["encryptAES"]("secret", "hello world, twice as long as a block"))
    (tmp_path / "body").write_bytes(sealed[16:])
    key = (b"secret" + bytes(32))[:32].hex()
    result = subprocess.run(
        ["openssl", "enc", "-d", "-aes-256-cbc", "-K", key, "-iv", sealed[:16].hex(), "-in", str(tmp_path / "body")],
        capture_output=True,
        check=False,
    )
    assert result.returncode == 0 and result.stdout == b"hello world, twice as long as a block", result.stderr


def _openssl(*args: str, data: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(["openssl", *args], input=data, capture_output=True, text=True, check=False)


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl not installed")
def test_certificates_verify_with_openssl(tmp_path: Any) -> None:
    ca = SPRIG_FUNCS["genCA"]("my-ca", 365)
    assert isinstance(ca, Certificate) and ca.go_field("Cert").startswith("-----BEGIN CERTIFICATE-----\n")
    leaf = SPRIG_FUNCS["genSignedCert"]("svc.example", ["10.0.0.1", "::1"], ["svc.example"], 30, ca)
    (tmp_path / "ca.pem").write_text(ca.cert)
    (tmp_path / "leaf.pem").write_text(leaf.cert)
    verify = _openssl("verify", "-CAfile", str(tmp_path / "ca.pem"), str(tmp_path / "leaf.pem"))
    assert verify.returncode == 0, verify.stderr
    text = _openssl("x509", "-noout", "-text", data=leaf.cert).stdout
    assert "DNS:svc.example, IP Address:10.0.0.1, IP Address:0:0:0:0:0:0:0:1" in text
    for kind in ("ecdsa", "ed25519"):
        own = SPRIG_FUNCS["genSelfSignedCertWithKey"]("self", [], ["x.test"], 1, SPRIG_FUNCS["genPrivateKey"](kind))
        (tmp_path / "own.pem").write_text(own.cert)
        check = _openssl("verify", "-CAfile", str(tmp_path / "own.pem"), str(tmp_path / "own.pem"))
        assert check.returncode == 0, check.stderr
    rebuilt = SPRIG_FUNCS["buildCustomCert"](
        base64.b64encode(ca.cert.encode()).decode(), base64.b64encode(ca.key.encode()).decode()
    )
    assert rebuilt.go_deep_equal(ca)


def test_certificate_errors() -> None:
    with pytest.raises(GoError, match="error parsing ip: 1.2.3$"):
        SPRIG_FUNCS["genSelfSignedCertWithKey"]("x", ["1.2.3"], [], 1, SPRIG_FUNCS["genPrivateKey"]("ecdsa"))
    with pytest.raises(GoError, match="error processing alternate dns name: 5 is not a string"):
        SPRIG_FUNCS["genSelfSignedCertWithKey"]("x", [], [5], 1, SPRIG_FUNCS["genPrivateKey"]("ecdsa"))
    with pytest.raises(GoError, match="parsing private key: no PEM data in input"):
        SPRIG_FUNCS["genCAWithKey"]("x", 1, "nope")
