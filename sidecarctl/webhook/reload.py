"""Injection settings that follow their sources: files are re-read when their contents change;
settings from cluster ConfigMaps are re-read on a slower period. A load that fails keeps the
previous settings serving and is logged and counted."""

from __future__ import annotations

import time
from collections.abc import Callable

from sidecarctl.webhook import logs
from sidecarctl.webhook.engine import Injector, SettingsFlags, fingerprint

log = logs.get("settings")

Loader = Callable[[SettingsFlags], Injector]


class SettingsReloader:
    def __init__(self, flags: SettingsFlags, loader: Loader, cluster_period: float = 30.0) -> None:
        self.flags = flags
        self.loader = loader
        self.cluster_period = cluster_period
        self._fingerprint = fingerprint(flags)
        self._loaded_at = time.monotonic()
        self.injector = loader(flags)

    def check(self) -> Injector | None:
        """A new injector when the settings changed and loaded, else None."""
        now = time.monotonic()
        current = fingerprint(self.flags)
        due = self.flags.from_cluster and now - self._loaded_at >= self.cluster_period
        if current == self._fingerprint and not due:
            return None
        self._fingerprint, self._loaded_at = current, now
        try:
            self.injector = self.loader(self.flags)
        except Exception as e:  # any settings error: keep serving with the previous settings
            log.error("settings reload failed; keeping the previous settings", extra={"reason": str(e)})
            raise
        log.info("settings reloaded", extra={"files": self.flags.files(), "from_cluster": self.flags.from_cluster})
        return self.injector
