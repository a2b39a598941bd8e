"""The engine's view of Go's standard library (sidecarctl.golang), with the lookups it makes often:
`encoding/json` (compact, HTML-safe, struct field order given by the caller), `strconv.Quote`
(the `%q` of istioctl's warnings), `strconv.ParseBool` and `strconv.Atoi` returning None on error,
and go-multierror's text.
"""

from __future__ import annotations

from typing import Any

from sidecarctl.golang import strconv
from sidecarctl.golang.json import marshal as json_dumps
from sidecarctl.golang.json import sort_keys as json_sorted
from sidecarctl.golang.strconv import quote

__all__ = ["atoi", "get_path", "json_dumps", "json_sorted", "multierror", "parse_bool", "quote"]


def parse_bool(text: str) -> bool | None:
    """strconv.ParseBool; None where Go returns an error."""
    try:
        return strconv.parse_bool(text)
    except ValueError:
        return None


def atoi(text: str) -> int | None:
    """strconv.Atoi (64-bit); None where Go returns an error (no spaces, no underscores)."""
    try:
        return strconv.atoi(text)
    except ValueError:
        return None


def multierror(messages: list[str]) -> str:
    """The text of a hashicorp/go-multierror error, on one line (istioctl prints it on several)."""
    if len(messages) == 1:
        return messages[0]
    return "; ".join(messages)


def get_path(obj: dict[str, Any], path: tuple[str, ...]) -> Any:
    """Follow mapping keys; None when any step is missing or not a mapping."""
    current: Any = obj
    for key in path:
        if not isinstance(current, dict):
            return None
        current = current.get(key)
    return current
