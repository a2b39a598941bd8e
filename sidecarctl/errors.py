"""The errors a user sees. Each carries enough position to act on and an exit code.

Exit codes: 1 for bad input or settings, 2 for bad usage (click's own convention).
The CLI catches `SidecarError` in one place and prints `Error: <message>` on one line.
"""

from __future__ import annotations


class SidecarError(Exception):
    """Root of every error the CLI reports without a traceback."""

    exit_code = 1


class UsageError(SidecarError):
    """Flags that do not fit together."""

    exit_code = 2


class InputError(SidecarError):
    """A manifest that cannot be read or parsed (names the file, document and line)."""


class ConfigError(SidecarError):
    """Injection settings (inject config, values, mesh config) that cannot be used."""


class InjectionError(SidecarError):
    """A workload the injector cannot inject (template execution, invalid annotations, ...)."""
