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
    pytest.param('v', 'sha1sum', ['hello world'], 'ok', '2aae6c35c94fcfb415dbe95f408b9ce91ee846ed', id='sha1sum'),
    pytest.param('v', 'sha1sum', [''], 'ok', 'da39a3ee5e6b4b0d3255bfef95601890afd80709', id='sha1sum-empty'),
    pytest.param('v', 'sha256sum', ['héllo'], 'ok', '3c48591d8d098a4538f5e013dfcf406e948eac4d3277b10bf614e295d6068179', id='sha256sum'),
    pytest.param('v', 'adler32sum', ['Wikipedia'], 'ok', '300286872', id='adler32sum'),
    pytest.param('v', 'adler32sum', [''], 'ok', '1', id='adler32sum-empty'),
    pytest.param('v', 'derivePassword', [1, 'long', 'password', 'user', 'example.com'], 'ok', 'ZedaFaxcZaso9*', id='derivePassword-long'),
    pytest.param('v', 'derivePassword', [3, 'maximum', 'pw', 'ü', 'site'], 'ok', 'xDI^p6ohfIL!8WKhko4;', id='derivePassword-maximum'),
    pytest.param('v', 'derivePassword', [0, 'pin', '', '', ''], 'ok', '2847', id='derivePassword-pin'),
    pytest.param('v', 'derivePassword', [7, 'basic', 'p', 'u', 's'], 'ok', 'VZk24LAy', id='derivePassword-basic'),
    pytest.param('v', 'derivePassword', [1, 'x', '', '', ''], 'ok', 'cannot find password template x', id='derivePassword-unknown'),
    pytest.param('v', 'decryptAES', ['secret', ''], 'ok', '', id='decryptAES-empty'),
    pytest.param('v', 'decryptAES', ['secret', '/B/TFu6WuhlCfJ5o27mGCckCko0oUn3uH/IyBwtdwaw='], 'ok', 'hello world', id='decryptAES-known'),
    pytest.param('v', 'decryptAES', ['secret', 'abc'], 'err', 'illegal base64 data at input byte 0', id='decryptAES-bad-base64'),
    pytest.param('v', 'decryptAES', ['secret', 'YWJj'], 'err', 'runtime error: slice bounds out of range [:16] with capacity 3', id='decryptAES-short'),
    pytest.param('v', 'decryptAES', ['secret', 'YWJjZGVmZ2hpamtsbW5vcHE='], 'err', 'crypto/cipher: input not full blocks', id='decryptAES-partial-block'),
    pytest.param('v', 'decryptAES', ['secret', 'YWJjZGVmZ2hpamtsbW5vcA=='], 'err', 'runtime error: index out of range [-1]', id='decryptAES-iv-only'),
    pytest.param('v', 'encryptAES', ['secret', ''], 'ok', '', id='encryptAES-empty'),
    pytest.param('v', 'htpasswd', ['a:b', 'pw'], 'ok', 'invalid username: a:b', id='htpasswd-bad-user'),
    pytest.param('v', 'genPrivateKey', ['foo'], 'ok', 'Unknown type foo', id='genPrivateKey-unknown'),
    pytest.param('v', 'buildCustomCert', ['!', 'YQ=='], 'err', 'unable to decode base64 certificate', id='buildCustomCert-bad-cert-b64'),
    pytest.param('v', 'buildCustomCert', ['YQ==', '!'], 'err', 'unable to decode base64 private key', id='buildCustomCert-bad-key-b64'),
    pytest.param('v', 'buildCustomCert', ['YQ==', 'YQ=='], 'err', 'unable to decode certificate', id='buildCustomCert-no-pem'),
    pytest.param('v', 'randBytes', [0], 'ok', '', id='randBytes-zero'),
    pytest.param('v', 'randAlpha', [0], 'ok', '', id='randAlpha-zero'),
    pytest.param('v', 'randNumeric', [-1], 'ok', '', id='randNumeric-negative'),
]


@pytest.mark.parametrize(("kind", "name", "args", "status", "expected"), CASES)
def test_matches_go(kind: str, name: str, args: list[Any], status: str, expected: str) -> None:
    check(kind, name, args, status, expected)


import base64
import re
import shutil
import subprocess

from sidecarctl.gotemplate.sprig import _der, _pki
from sidecarctl.gotemplate.sprig.crypto import Certificate


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


@pytest.mark.parametrize("kind", ["ecdsa", "ed25519", "rsa"])
def test_private_keys_parse_back(kind: str) -> None:
    pem = SPRIG_FUNCS["genPrivateKey"](kind)
    assert pem.endswith(" PRIVATE KEY-----\n")
    key = _pki.parse_private_key_pem(pem)
    assert _der.pem_encode(*key.pem()) == pem


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
    rebuilt = SPRIG_FUNCS["buildCustomCert"](base64.b64encode(ca.cert.encode()).decode(), base64.b64encode(ca.key.encode()).decode())
    assert rebuilt.go_deep_equal(ca)


def test_certificate_errors() -> None:
    with pytest.raises(GoError, match="error parsing ip: 1.2.3$"):
        SPRIG_FUNCS["genSelfSignedCertWithKey"]("x", ["1.2.3"], [], 1, SPRIG_FUNCS["genPrivateKey"]("ecdsa"))
    with pytest.raises(GoError, match="error processing alternate dns name: 5 is not a string"):
        SPRIG_FUNCS["genSelfSignedCertWithKey"]("x", [], [5], 1, SPRIG_FUNCS["genPrivateKey"]("ecdsa"))
    with pytest.raises(GoError, match="parsing private key: no PEM data in input"):
        SPRIG_FUNCS["genCAWithKey"]("x", 1, "nope")
