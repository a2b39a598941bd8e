"""The server's TLS context, reloaded in place when the certificate or key files change.

New handshakes take the context's current certificate, so swapping the chain inside the one
context the listening socket uses rotates certificates without a restart. A pair that does not load
(half-written during a rotation, key not matching) leaves the previous one serving.

Each pair that loads reports its certificate's expiry (`on_load`, seconds since the epoch) so the
metrics can show how long the serving certificate has left.
"""

from __future__ import annotations

import hashlib
import ssl
from collections.abc import Callable

from cryptography import x509

from sidecarctl.webhook import logs

log = logs.get("tls")


def certificate_not_after(cert_file: str) -> float | None:
    """When the first (serving) certificate of a PEM file expires, in seconds since the epoch;
    None when the file does not decode, which leaves the expiry unreported, never the server down."""
    try:
        with open(cert_file, "rb") as f:
            certificate = x509.load_pem_x509_certificate(f.read())
    except (OSError, ValueError):
        return None
    return certificate.not_valid_after_utc.timestamp()


class TLSReloader:
    def __init__(self, cert_file: str, key_file: str, on_load: Callable[[float | None], None] | None = None) -> None:
        self.cert_file = cert_file
        self.key_file = key_file
        self.on_load = on_load
        self.not_after: float | None = None
        self.context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self.context.minimum_version = ssl.TLSVersion.TLSv1_2
        self._fingerprint = ""
        self._failed = ""  # the pair that last failed, not retried (nor logged) until it changes
        self.reload()

    def _read_fingerprint(self) -> str:
        digest = hashlib.sha256()
        for path in (self.cert_file, self.key_file):
            with open(path, "rb") as f:
                digest.update(f.read())
        return digest.hexdigest()

    def reload(self) -> None:
        """Load the pair now; raises ssl.SSLError/OSError if it does not load."""
        fingerprint = self._read_fingerprint()
        # validate on a scratch context first so a bad pair never reaches the live one
        ssl.create_default_context(ssl.Purpose.CLIENT_AUTH).load_cert_chain(self.cert_file, self.key_file)
        self.context.load_cert_chain(self.cert_file, self.key_file)
        self._fingerprint = fingerprint
        self.not_after = certificate_not_after(self.cert_file)
        if self.on_load is not None:
            self.on_load(self.not_after)

    def check(self) -> bool | None:
        """Reload if the files changed: True when reloaded, False when the new pair failed, None if unchanged."""
        fingerprint = ""
        try:
            fingerprint = self._read_fingerprint()
            if fingerprint in (self._fingerprint, self._failed):
                return None
            self.reload()
        except (OSError, ssl.SSLError) as e:
            self._failed = fingerprint
            log.error(
                "TLS certificate reload failed; still serving the previous one",
                extra={"cert_file": self.cert_file, "reason": str(e)},
            )
            return False
        log.info("TLS certificate reloaded", extra={"cert_file": self.cert_file})
        return True
