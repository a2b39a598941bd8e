"""The errors of the template engine; `str(e)` is exactly Go's `err.Error()` (one line)."""

from __future__ import annotations


class TemplateError(Exception):
    """Any template failure: parse or execution."""


class ParseError(TemplateError):
    """The template text does not parse: `template: NAME:LINE: ...`."""


class ExecError(TemplateError):
    """Execution failed: `template: NAME:LINE:COL: executing "NAME" at <NODE>: ...`."""
