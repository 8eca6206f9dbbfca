"""Errors raised while loading survey definitions.

Survey files are written by people, not programs, so a broken file must be reported in one
line that says exactly where to look: the file, the question key and the field.
"""

from __future__ import annotations


class SurveyDefinitionError(Exception):
    """A survey definition file is malformed.

    Deliberately *not* a ``ValueError``: pydantic wraps ``ValueError`` raised inside validators
    into its own error type, and we want this one to reach the caller untouched.
    """

    def __init__(
        self,
        source: str,
        problem: str,
        *,
        question: str | None = None,
        field: str | None = None,
    ) -> None:
        self.source = source
        self.problem = problem
        self.question = question
        self.field = field
        super().__init__(self.message)

    @property
    def message(self) -> str:
        """One line: ``file: question 'key': field 'name': what is wrong``."""
        parts = [self.source]
        if self.question is not None:
            parts.append(f"question '{self.question}'")
        if self.field is not None:
            parts.append(f"field '{self.field}'")
        parts.append(self.problem)
        return ": ".join(parts)
