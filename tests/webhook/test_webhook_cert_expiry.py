"""The certificate-expiry gauge: seconds until the serving certificate expires, set on each (re)load."""

from __future__ import annotations

import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from webhook_certs import CertPair
from webhook_support import ServerFactory

from sidecarctl.webhook.metrics import Metrics
from sidecarctl.webhook.tls import TLSReloader, certificate_not_after

GAUGE = "sidecarctl_webhook_certificate_expiry_seconds"
DAY = 86400.0


def gauge(text: str) -> float | None:
    match = re.search(rf"^{GAUGE} (\S+)$", text, re.MULTILINE)
    return float(match.group(1)) if match else None


def self_signed(folder: Path, name: str, days: int) -> tuple[Path, Path]:
    cert, key = folder / f"{name}.crt", folder / f"{name}.key"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-days",
            str(days),
            "-subj",
            f"/CN={name}",
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


@pytest.mark.parametrize(
    ("left", "shown"), [(1000.4, 1000.0), (-5.0, -5.0), (90 * DAY, 90 * DAY)], ids=["valid", "expired", "ninety-days"]
)
def test_gauge_counts_down_from_the_loaded_not_after(left: float, shown: float) -> None:
    metrics = Metrics()
    assert GAUGE not in metrics.render()  # nothing loaded yet: no value rather than a made-up one
    metrics.certificate_loaded(time.time() + left)
    value = gauge(metrics.render())
    assert value is not None and shown - 2 <= value <= shown
    assert f"# TYPE {GAUGE} gauge" in metrics.render()


def test_unknown_expiry_removes_the_gauge() -> None:
    metrics = Metrics()
    metrics.certificate_loaded(time.time() + DAY)
    metrics.certificate_loaded(None)
    assert GAUGE not in metrics.render()


def test_not_after_is_read_from_the_certificate(tls_dir: Path, tmp_path: Path) -> None:
    cert, _ = self_signed(tmp_path, "three-days", 3)
    not_after = certificate_not_after(str(cert))
    assert not_after is not None and abs(not_after - (time.time() + 3 * DAY)) < 120
    (tmp_path / "junk.crt").write_text("not a certificate")
    assert certificate_not_after(str(tmp_path / "junk.crt")) is None
    assert certificate_not_after(str(tmp_path / "missing.crt")) is None


def test_reloader_reports_each_loaded_certificate(tls_dir: Path, tmp_path: Path) -> None:
    first, second = self_signed(tmp_path, "first", 3), self_signed(tmp_path, "second", 30)
    cert, key = tmp_path / "tls.crt", tmp_path / "tls.key"
    shutil.copy(first[0], cert)
    shutil.copy(first[1], key)
    seen: list[float | None] = []
    reloader = TLSReloader(str(cert), str(key), on_load=seen.append)
    assert len(seen) == 1 and seen[0] == certificate_not_after(str(first[0]))
    assert reloader.check() is None and len(seen) == 1  # unchanged files: nothing new to report
    shutil.copy(second[0], cert)
    shutil.copy(second[1], key)
    assert reloader.check() is True
    assert seen[-1] == certificate_not_after(str(second[0])) and seen[-1] != seen[0]


def test_server_metrics_show_the_serving_certificate(start_server: ServerFactory, certs: CertPair) -> None:
    _, client = start_server()
    status, body = client.request("/metrics")
    assert status == 200
    value = gauge(body.decode())
    want = certificate_not_after(str(certs.cert))
    assert value is not None and want is not None and abs(value - (want - time.time())) < 60
    assert 0 < value <= 2 * DAY  # the test certificates are valid for two days
