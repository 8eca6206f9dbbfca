"""The declarative base every table hangs off, and the column type of the ``status`` columns.

Kept apart from the tables so each table module can import it without importing the others
(``storage.models`` imports them all, which is what fills ``Base.metadata``).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, TypeVar

from sqlalchemy import Enum
from sqlalchemy.orm import DeclarativeBase, MappedColumn, mapped_column


class Base(DeclarativeBase):
    pass


E = TypeVar("E", bound=StrEnum)


def _values(enum: type[StrEnum]) -> list[str]:
    """Store the member's value (``in_progress``), not its name (``IN_PROGRESS``): the
    database keeps the words it always held."""
    return [member.value for member in enum]


def status_column(enum: type[E], *, length: int, default: E) -> MappedColumn[Any]:
    """A ``status`` column read as ``enum`` members, with the schema left as it was.

    ``native_enum=False`` and ``create_constraint=False`` keep it a plain ``VARCHAR(length)``
    with no CHECK constraint, exactly what the migrations made, so no migration is needed and
    a value added to the enum later needs none either. ``validate_strings=True`` turns a
    misspelt status in a query into an error instead of a silent no-match.
    """
    return mapped_column(
        Enum(
            enum,
            native_enum=False,
            create_constraint=False,
            length=length,
            values_callable=_values,
            validate_strings=True,
        ),
        default=default,
    )
