"""The server's TLS context, reloaded in place when the certificate or key files change.

New handshakes take the context's current certificate, so swapping the chain inside the one
context the listening socket uses rotates certificates without a restart. A pair that does not load
(half-written during a rotation, key not matching) leaves the previous one serving.
"""

from __future__ import annotations

import hashlib
import ssl

from sidecarctl.webhook import logs

log = logs.get("tls")


class TLSReloader:
    def __init__(self, cert_file: str, key_file: str) -> None:
        self.cert_file = cert_file
        self.key_file = key_file
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
            log.error("TLS certificate reload failed; still serving the previous one",
                      extra={"cert_file": self.cert_file, "reason": str(e)})
            return False
        log.info("TLS certificate reloaded", extra={"cert_file": self.cert_file})
        return True
