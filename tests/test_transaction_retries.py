"""A transaction PostgreSQL gave up for another's sake (deadlock, serialisation) runs again; others do not."""

from __future__ import annotations

import types

import pytest
from sqlalchemy.exc import OperationalError

from dst.db import engine
from dst.db.engine import ATTEMPTS, retried


def given_up(sqlstate: str) -> OperationalError:
    return OperationalError("UPDATE …", {}, types.SimpleNamespace(sqlstate=sqlstate))  # type: ignore[arg-type]


def test_a_deadlock_victim_runs_again_and_goes_through(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine.time, "sleep", lambda _s: None)
    outcomes = [given_up("40P01"), given_up("40001"), "committed"]
    calls = []

    def run() -> str:
        calls.append(1)
        outcome = outcomes.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    assert retried(run) == "committed"
    assert len(calls) == 3


def test_other_errors_and_a_lasting_deadlock_are_raised(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine.time, "sleep", lambda _s: None)
    calls = []

    def lost_connection() -> None:
        calls.append(1)
        raise given_up("08006")

    with pytest.raises(OperationalError):
        retried(lost_connection)
    assert len(calls) == 1

    def always_deadlocked() -> None:
        calls.append(1)
        raise given_up("40P01")

    with pytest.raises(OperationalError):
        retried(always_deadlocked)
    assert len(calls) == 1 + ATTEMPTS
