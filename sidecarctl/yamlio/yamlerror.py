"""The error for manifests that cannot be read or written, in istioctl's (Go's) words."""

from __future__ import annotations

from sidecarctl.errors import InputError


class YamlError(InputError):
    """A manifest that istioctl could not read; str() is istioctl's wording (Go's error text).

    `line` and `column` are 1-based positions in the document text (None when unknown); the CLI adds the
    file name and the document index. `problem` is the bare parser complaint.
    """

    def __init__(
        self, message: str, line: int | None = None, column: int | None = None, problem: str | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column
        self.problem = problem or message
