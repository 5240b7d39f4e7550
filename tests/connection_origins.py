"""Where was a psycopg connection that is collected while still open made? (DST_TRACE_CONNECTIONS=1)

A connection the garbage collector finds open means a pool slot lost in production. With the variable
set, every connection remembers the stack that opened it, and one collected open prints that stack,
with the test that was running when it was opened, to standard error and to
test-artifacts/open-connections.txt.
"""

from __future__ import annotations

import os
import sys
import traceback
from pathlib import Path
from typing import Any

import psycopg

ORIGINS: dict[int, tuple[str, str]] = {}
REPORT = Path(__file__).parents[1] / "test-artifacts" / "open-connections.txt"


def install() -> None:
    connect = psycopg.Connection.connect.__func__  # type: ignore[attr-defined]
    original_del = psycopg.BaseConnection.__del__

    def traced_connect(cls: Any, *args: Any, **kwargs: Any) -> Any:
        connection = connect(cls, *args, **kwargs)
        test = os.environ.get("PYTEST_CURRENT_TEST", "?")
        ORIGINS[id(connection)] = (test, "".join(traceback.format_stack(limit=40)[:-1]))
        return connection

    def traced_del(self: Any, *args: Any) -> None:
        origin = ORIGINS.pop(id(self), None)
        if origin and hasattr(self, "pgconn") and not self.closed and not hasattr(self, "_pool"):
            text = f"=== open connection collected during {os.environ.get('PYTEST_CURRENT_TEST')}\n"
            text += f"--- opened during {origin[0]}\n{origin[1]}\n"
            sys.stderr.write(text)
            REPORT.parent.mkdir(exist_ok=True)
            with REPORT.open("a") as out:
                out.write(text)
        original_del(self, *args)

    psycopg.Connection.connect = classmethod(traced_connect)  # type: ignore[method-assign,assignment]
    psycopg.connect = psycopg.Connection.connect  # SQLAlchemy's dialect calls the module's name
    async_connect = psycopg.AsyncConnection.connect.__func__  # type: ignore[attr-defined]

    async def traced_async_connect(cls: Any, *args: Any, **kwargs: Any) -> Any:
        connection = await async_connect(cls, *args, **kwargs)
        test = os.environ.get("PYTEST_CURRENT_TEST", "?")
        ORIGINS[id(connection)] = (test, "".join(traceback.format_stack(limit=40)[:-1]))
        return connection

    psycopg.AsyncConnection.connect = classmethod(traced_async_connect)  # type: ignore[method-assign,assignment]
    psycopg.BaseConnection.__del__ = traced_del  # type: ignore[method-assign]
