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
            injector = self.loader(self.flags)
        except Exception as e:  # any settings error: keep serving with the previous settings
            log.error("settings reload failed; keeping the previous settings", extra={"reason": str(e)})
            raise
        if _same(self.injector, injector):  # the periodic re-read of ConfigMaps that did not change
            return None
        self.injector = injector
        log.info("settings reloaded", extra={"files": self.flags.files(), "from_cluster": self.flags.from_cluster})
        return self.injector


def _same(old: Injector, new: Injector) -> bool:
    """Whether two loads gave the same settings (then the workers and the answer cache stay)."""
    a, b = getattr(old, "settings", None), getattr(new, "settings", None)
    if a is None or b is None:
        return False
    return bool(
        a.inject_config == b.inject_config
        and a.values == b.values
        and a.mesh == b.mesh
        and a.revision == b.revision
        and a.release == b.release
        and getattr(old, "native_sidecars", None) == getattr(new, "native_sidecars", None)
    )
