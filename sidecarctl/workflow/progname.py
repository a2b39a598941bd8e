"""The program name users typed: `sidecarctl`, or `kubectl sidecar` when run as a kubectl plugin.

kubectl runs the `kubectl-sidecar` executable for `kubectl sidecar ...`; help and usage errors
should then say `kubectl sidecar kube-inject`, not `sidecarctl kube-inject`. `ProgramCommand`
renames the root context when one of our commands is resolved, before its arguments are parsed.
"""

from __future__ import annotations

import os
import sys
from typing import Any

import click

PLUGIN_EXECUTABLE = "kubectl-sidecar"
PLUGIN_NAME = "kubectl sidecar"
DEFAULT_NAME = "sidecarctl"
COMPLETE_VAR = "_SIDECARCTL_COMPLETE"


def program_name(argv0: str | None = None) -> str:
    executable = os.path.basename(argv0 if argv0 is not None else (sys.argv[0] if sys.argv else ""))
    return PLUGIN_NAME if executable.startswith(PLUGIN_EXECUTABLE) else DEFAULT_NAME


class ProgramCommand(click.Command):
    """A command that names the program as it was invoked (see the module docstring)."""

    def make_context(
        self, info_name: str | None, args: list[str], parent: click.Context | None = None, **extra: Any
    ) -> click.Context:
        if parent is not None and parent.parent is None and parent.info_name == DEFAULT_NAME:
            parent.info_name = program_name()
        return super().make_context(info_name, args, parent=parent, **extra)
