"""`dst db backup` and `dst db restore`: a snapshot brings back exactly the records it holds."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from dst.cli import app as cli
from dst.db.backup import BackupError, restore

from factories import consult, key, ordinary, veteran
from harness import SERVICE


def run_cli(monkeypatch: pytest.MonkeyPatch, url: str, *args: str, answer: str | None = None):  # type: ignore[no-untyped-def]
    from dst.config import get_settings

    monkeypatch.setenv("DST_DATABASE_URL", url)
    get_settings.cache_clear()
    try:
        return CliRunner().invoke(cli, list(args), input=answer)
    finally:
        get_settings.cache_clear()


def open_and_decide(client, option: str = "opt-out") -> tuple[str, int]:  # type: ignore[no-untyped-def]
    created = client.post("/api/v1/dst", json=consult(veteran(ordinary)), headers=SERVICE)
    assert created.status_code == 201, created.text
    dst_id = created.json()["dstId"]
    saved = client.put(
        f"/api/v1/dst/{dst_id}/decision",
        json={"veteranOption": option, "forward": False},
        headers={**SERVICE, **key()},
    )
    assert saved.status_code == 200, saved.text
    return dst_id, saved.json()["version"]


def test_restore_brings_back_the_snapshot_and_only_the_snapshot(
    client, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    kept, kept_version = open_and_decide(client)
    factor_before = client.get(f"/vs/v2/consultFactor/{kept}", headers=SERVICE).text
    snapshot = tmp_path / "snapshots" / "dst.dump"

    made = run_cli(monkeypatch, database_url, "db", "backup", str(snapshot))
    assert made.exit_code == 0, made.output
    assert snapshot.stat().st_size > 0 and not snapshot.with_name("dst.dump.partial").exists()

    later, _ = open_and_decide(client)  # written after the snapshot: must be gone after the restore
    changed = client.put(
        f"/api/v1/dst/{kept}/decision",
        json={"veteranOption": "tbd", "forward": False, "seocId": _first_seoc(client, kept)},
        headers={**SERVICE, **key()},
    )
    assert changed.status_code == 200, changed.text

    restored = run_cli(monkeypatch, database_url, "db", "restore", "--yes", str(snapshot))
    assert restored.exit_code == 0, restored.output
    assert "revision" in restored.output

    record = client.get(f"/api/v1/dst/{kept}", headers=SERVICE)
    assert record.status_code == 200
    assert record.json()["version"] == kept_version
    assert record.json()["entries"]["veteranOption"] == "opt-out"
    assert client.get(f"/vs/v2/consultFactor/{kept}", headers=SERVICE).text == factor_before
    assert client.get(f"/api/v1/dst/{later}", headers=SERVICE).status_code == 404
    assert client.get("/health/ready").json()["schemaCurrent"] is True


def _first_seoc(client, dst_id: str) -> str:  # type: ignore[no-untyped-def]
    return client.get(f"/api/v1/dst/{dst_id}/seocs", headers=SERVICE).json()["seocs"][0]["seocId"]


def test_restore_refuses_a_missing_or_foreign_file_and_changes_nothing(
    client, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    kept, _ = open_and_decide(client)
    with pytest.raises(BackupError, match="No snapshot"):
        restore(database_url, tmp_path / "absent.dump")
    foreign = tmp_path / "notes.txt"
    foreign.write_text("not a database snapshot\n")
    with pytest.raises(BackupError, match="is not a"):
        restore(database_url, foreign)
    refused = run_cli(monkeypatch, database_url, "db", "restore", "--yes", str(foreign))
    assert refused.exit_code == 1
    assert "restore failed" in refused.output
    assert client.get(f"/api/v1/dst/{kept}", headers=SERVICE).status_code == 200


def test_restore_asks_before_replacing_the_database(
    client, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    snapshot = tmp_path / "dst.dump"
    assert run_cli(monkeypatch, database_url, "db", "backup", str(snapshot)).exit_code == 0
    later, _ = open_and_decide(client)
    declined = run_cli(monkeypatch, database_url, "db", "restore", str(snapshot), answer="n\n")
    assert declined.exit_code == 1
    assert client.get(f"/api/v1/dst/{later}", headers=SERVICE).status_code == 200
