"""The error type for bad input: it names the source, the request or file, and the field."""

from __future__ import annotations


class SourceError(RuntimeError):
    """A source answered something we cannot use.

    ``where`` is the request (URL with any key already redacted) or the file; ``field`` the
    field, column or part of the answer at fault (``body`` for the answer as a whole).
    """

    def __init__(self, source: str, where: str, field: str, problem: str):
        self.source, self.where, self.field, self.problem = source, where, field, problem
        super().__init__(f"{source}: {where}: field {field!r}: {problem}")
