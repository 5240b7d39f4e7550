"""Declarative base with a naming convention, so migrations name constraints the same on every database."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, TypeVar, cast

from sqlalchemy import DateTime, MetaData, Row, inspect
from sqlalchemy.orm import DeclarativeBase, Session, make_transient_to_detached
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


M = TypeVar("M", bound="Base")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC timestamps on PostgreSQL and on SQLite (which stores naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; DST stores UTC-aware timestamps only")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


def adopt(session: Session, cls: type[M], row: Row[*tuple[Any, ...]]) -> M:
    """The persistent object of `cls` for a row that a Core statement returned with every column of
    the class's table (its attributes named as its columns), attached to `session` as if the ORM
    had loaded it (no statement is run).

    The ORM's own loading sets its row processing up again for every statement, which for one row
    costs several times the statement itself. An object of that identity already in the session is
    returned as it is."""
    mapper = inspect(cls)
    values = row._mapping
    key = mapper.identity_key_from_primary_key(tuple(values[c.name] for c in mapper.primary_key))
    held = session.identity_map.get(key)
    if held is not None:
        return cast(M, held)
    instance = cls(**values)
    make_transient_to_detached(instance)  # its attributes now count as loaded, not as changes
    session.add(instance)
    return instance
