"""The error Go's standard functions return, with Go's message as its text."""

from __future__ import annotations


class GoError(Exception):
    """An error a Go function returns (strconv, time, encoding/json...), with Go's message.

    Raised by template functions too, where it becomes `error calling NAME: <message>`."""
