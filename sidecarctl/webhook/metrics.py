"""Prometheus text exposition (format 0.0.4) of the webhook's counters and latency histogram.

Written by hand: a handful of series do not justify a dependency, and the registry must be per
server (tests run several servers in one process) rather than global.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable

# Admission latency is milliseconds to a few seconds; the API server gives up at 10 s by default.
DEFAULT_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
RESULTS = ("injected", "skipped", "failed", "bad_request", "timeout")


class Metrics:
    """Thread-safe: the event loop records answers while reload checks run in executor threads."""

    _cert_not_after: float | None = None  # the serving certificate's notAfter, set when it (re)loads

    def __init__(self, buckets: Iterable[float] = DEFAULT_BUCKETS) -> None:
        self._lock = threading.Lock()
        self._buckets = tuple(sorted(buckets))
        self._counts = [0] * len(self._buckets)
        self._sum = 0.0
        self._observed = 0
        self._results: dict[str, int] = {r: 0 for r in RESULTS}
        self._reloads: dict[tuple[str, str], int] = {}
        self._events: dict[str, int] = {}

    def record(self, result: str, seconds: float) -> None:
        with self._lock:
            self._results[result] = self._results.get(result, 0) + 1
            self._observed += 1
            self._sum += seconds
            for i, bound in enumerate(self._buckets):
                if seconds <= bound:
                    self._counts[i] += 1

    def reloaded(self, what: str, result: str) -> None:
        with self._lock:
            self._reloads[(what, result)] = self._reloads.get((what, result), 0) + 1

    def event(self, name: str) -> None:
        """Count a server event: cache_hit, connection_refused, header_timeout, worker_killed, ..."""
        with self._lock:
            self._events[name] = self._events.get(name, 0) + 1

    def event_count(self, name: str) -> int:
        with self._lock:
            return self._events.get(name, 0)

    def certificate_loaded(self, not_after: float | None) -> None:
        """The serving certificate (re)loaded and expires at `not_after` (epoch seconds; None: unknown)."""
        with self._lock:
            self._cert_not_after = not_after

    def result_count(self, result: str) -> int:
        with self._lock:
            return self._results.get(result, 0)

    def render(self) -> str:
        with self._lock:
            return "".join(
                self._injection_lines()
                + self._histogram_lines()
                + self._reload_lines()
                + self._event_lines()
                + self._certificate_lines()
            )

    def _injection_lines(self) -> list[str]:
        lines = [
            "# HELP sidecar_injection_requests_total Admission requests answered, by result.\n",
            "# TYPE sidecar_injection_requests_total counter\n",
        ]
        lines += [f'sidecar_injection_requests_total{{result="{r}"}} {n}\n' for r, n in sorted(self._results.items())]
        return lines

    def _histogram_lines(self) -> list[str]:
        name = "sidecar_injection_time_seconds"
        lines = [f"# HELP {name} Time to answer an admission request.\n", f"# TYPE {name} histogram\n"]
        lines += [f'{name}_bucket{{le="{_fmt(b)}"}} {c}\n' for b, c in zip(self._buckets, self._counts)]
        lines += [
            f'{name}_bucket{{le="+Inf"}} {self._observed}\n',
            f"{name}_sum {_fmt(self._sum)}\n",
            f"{name}_count {self._observed}\n",
        ]
        return lines

    def _reload_lines(self) -> list[str]:
        name = "sidecarctl_webhook_reloads_total"
        lines = [f"# HELP {name} Reloads of settings and TLS certificates, by result.\n", f"# TYPE {name} counter\n"]
        lines += [f'{name}{{what="{w}",result="{r}"}} {n}\n' for (w, r), n in sorted(self._reloads.items())]
        return lines

    def _certificate_lines(self) -> list[str]:
        """Counted down at each scrape from the loaded certificate's notAfter; negative once expired."""
        if self._cert_not_after is None:
            return []
        name = "sidecarctl_webhook_certificate_expiry_seconds"
        left = round(self._cert_not_after - time.time())
        return [
            f"# HELP {name} Seconds until the serving TLS certificate expires.\n",
            f"# TYPE {name} gauge\n",
            f"{name} {_fmt(left)}\n",
        ]

    def _event_lines(self) -> list[str]:
        name = "sidecarctl_webhook_events_total"
        lines = [
            f"# HELP {name} Server events: answers from the cache, connections refused at the cap or "
            "closed for a slow request head, render workers killed at a deadline.\n",
            f"# TYPE {name} counter\n",
        ]
        lines += [f'{name}{{event="{e}"}} {n}\n' for e, n in sorted(self._events.items())]
        return lines


def _fmt(value: float) -> str:
    return repr(float(value)) if value != int(value) else f"{value:.1f}"
