"""Injection settings: the injector config, Helm values and mesh config, from files, the
built-in defaults (--offline) or the cluster (`cluster.py`)."""

from __future__ import annotations

from sidecarctl.config.inject_config import InjectConfig, parse_inject_config
from sidecarctl.config.settings import Settings, SettingsSource, load_settings
from sidecarctl.config.values import ValuesConfig, parse_values

__all__ = [
    "InjectConfig",
    "Settings",
    "SettingsSource",
    "ValuesConfig",
    "load_settings",
    "parse_inject_config",
    "parse_values",
]
