"""Reference rows held between requests are really in the next session: no query asks for them again."""

from __future__ import annotations

import gc

from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker

from dst.consults.context import ReferenceSnapshots
from dst.reference.models import Station


def test_a_held_station_is_read_from_the_session_after_the_first_lookup(
    db_sessions: sessionmaker[Session],
) -> None:
    selects: list[str] = []
    event.listen(
        db_sessions.kw["bind"],
        "before_cursor_execute",
        lambda _c, _cur, statement, *_: selects.append(statement) if "FROM station" in statement else None,
    )
    snapshots = ReferenceSnapshots()
    with db_sessions() as session:
        assert snapshots.known_station(session, "688")
    assert len(selects) == 1  # the first lookup reads it
    for _ in range(2):
        with db_sessions() as session:
            assert snapshots.known_station(session, "688")
            gc.collect()  # the session keeps only weak references to unchanged objects
            station = session.get(Station, "688")  # as the rollout check reads its VISN
            assert station is not None and station.visn
    assert len(selects) == 1, selects
    with db_sessions() as session:
        assert not snapshots.known_station(session, "000")  # an unknown number is asked each time
        assert not snapshots.known_station(session, "000")
    assert len(selects) == 3
