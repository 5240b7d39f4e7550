"""Admin pages (history, next run, unmapped consult services), `dst jobs` and the in-process scheduler."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from typer.testing import CliRunner

from dst.jobs.registry import JOBS, job_spec, latest_slot, next_run
from dst.jobs.scheduler import start_scheduler, stop_scheduler

from harness import SERVICE, settings_for, sign_in


def test_admin_sees_each_job_with_its_next_run_and_the_history(client: Any) -> None:
    sign_in(client, "admin")
    home = client.get("/admin/jobs")
    assert home.status_code == 200
    page = home.text
    assert '<a href="/admin/jobs">Jobs</a>' in page  # main navigation
    assert "<caption>Each job, its schedule, its next run and its last run</caption>" in page
    for spec in JOBS:
        assert f'<th scope="row"><a href="/admin/jobs?job={spec.name}">{spec.name}</a></th>' in page
    assert page.count('scope="col"') >= 15
    # The demo seed ran four jobs; their runs are listed with rows read and written.
    assert re.search(r"<td>load-facilities</td>\s*<td>demo-seed on ", page)
    only = client.get("/admin/jobs?job=cdw-mappings").text
    assert "History of cdw-mappings" in only and "<td>load-facilities</td>" not in only
    assert "HOME BASED PRIMARY CARE" in only  # the warning names the unmapped CDW service
    missing = client.get("/admin/jobs?job=nonsense")
    assert missing.status_code == 404 and "There is no job named" in missing.text


def test_job_pages_are_for_administrators_only(client: Any) -> None:
    sign_in(client, "provider")
    assert client.get("/admin/jobs").status_code == 403
    assert client.get("/admin/unmapped-services").status_code == 403
    assert "/admin/jobs" not in client.get("/").text


def test_unmapped_consult_services_seen_from_ctb_are_listed(client: Any) -> None:
    answer = client.get(
        "/ctb/v1/requires-dst", params={"service": "prosthetics request", "station": "688"}, headers=SERVICE
    )
    assert answer.status_code == 200
    sign_in(client, "admin")
    page = client.get("/admin/unmapped-services").text
    assert "<caption>1 unmapped consult service name(s), most recently seen first</caption>" in page
    assert '<th scope="row">PROSTHETICS REQUEST</th>' in page and "<td>688</td>" in page


def test_dst_jobs_list_and_run(database_url: str, monkeypatch: Any) -> None:
    from dst.cli import app as cli
    from dst.config import get_settings

    monkeypatch.setenv("DST_DATABASE_URL", database_url)
    get_settings.cache_clear()
    try:
        runner = CliRunner()
        listed = runner.invoke(cli, ["jobs", "list"], env={"COLUMNS": "200"})
        assert listed.exit_code == 0, listed.output
        assert all(spec.name in listed.output for spec in JOBS)
        ran = runner.invoke(cli, ["jobs", "run", "load-seoc"])
        assert ran.exit_code == 0, ran.output
        assert "load-seoc: ok — read 60, wrote 60, 0 warning(s)" in ran.output
        unknown = runner.invoke(cli, ["jobs", "run", "load-everything"])
        assert unknown.exit_code == 2 and "no job named 'load-everything'" in unknown.output
    finally:
        get_settings.cache_clear()


def test_schedules_follow_the_deployment_guide() -> None:
    monday_noon = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    assert next_run(job_spec("load-facilities"), monday_noon) == datetime(2026, 11, 24, 5, 0, tzinfo=UTC)
    for name in ("load-seoc", "cdw-mappings", "purge"):
        assert next_run(job_spec(name), monday_noon) == datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
    assert next_run(job_spec("cdw-wait-times"), monday_noon) == datetime(2026, 11, 29, 2, 0, tzinfo=UTC)
    assert latest_slot(job_spec("cdw-wait-times"), monday_noon) == datetime(2026, 11, 22, 2, 0, tzinfo=UTC)
    assert latest_slot(job_spec("purge"), monday_noon) == datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


def test_the_in_process_scheduler_holds_every_job(database_url: str) -> None:
    before = datetime.now(UTC)
    scheduler = start_scheduler(settings_for(database_url, scheduler_enabled=True))
    try:
        planned = {job.id: job.next_run_time for job in scheduler.get_jobs()}
    finally:
        stop_scheduler(scheduler)
    after = datetime.now(UTC)
    assert set(planned) == {spec.name for spec in JOBS}
    for spec in JOBS:
        # Planned at start-up, between `before` and `after`: a slot passing meanwhile moves it on.
        assert planned[spec.name] in {next_run(spec, before), next_run(spec, after)}


def test_the_app_starts_the_scheduler_only_when_enabled(database_url: str) -> None:
    from fastapi.testclient import TestClient

    from dst.main import create_app

    for enabled in (False, True):
        app = create_app(settings_for(database_url, scheduler_enabled=enabled))
        with TestClient(app):
            assert (app.state.scheduler is not None) is enabled
            if enabled:
                assert app.state.scheduler.running
        assert app.state.scheduler is None or not app.state.scheduler.running


def test_dst_jobs_list_prints_plain_lines_or_json_for_scripts(database_url: str, monkeypatch: Any) -> None:
    """Piped at 70 columns: one untruncated line a job, tab-separated; `--json` gives the same rows."""
    import json

    from dst.cli import app as cli
    from dst.config import get_settings

    monkeypatch.setenv("DST_DATABASE_URL", database_url)
    get_settings.cache_clear()
    try:
        runner = CliRunner()
        plain = runner.invoke(cli, ["jobs", "list"], env={"COLUMNS": "70"})
        as_json = runner.invoke(cli, ["jobs", "list", "--json"], env={"COLUMNS": "70"})
    finally:
        get_settings.cache_clear()
    assert plain.exit_code == 0 and as_json.exit_code == 0, plain.output + as_json.output
    lines = plain.output.splitlines()
    assert lines[0].split("\t") == ["job", "schedule (UTC)", "next run", "last run", "outcome"]
    rows = [line.split("\t") for line in lines[1:]]
    assert [r[0] for r in rows] == [spec.name for spec in JOBS]
    assert all(len(r) == 5 for r in rows) and "…" not in plain.output
    listed = json.loads(as_json.output)
    assert [item["job"] for item in listed] == [spec.name for spec in JOBS]
    assert set(listed[0]) == {"job", "schedule", "nextRun", "lastRun", "outcome"}
    seeded = next(item for item in listed if item["job"] == "load-facilities")
    assert seeded["outcome"] == "ok" and datetime.fromisoformat(seeded["lastRun"])


def test_a_table_on_a_terminal_folds_cells_instead_of_cutting_them() -> None:
    import io

    from dst.tables import CliTable, print_table

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    table = CliTable("t", ("job", "note"), ("job", "note"))
    table.add("load-facilities-with-a-long-name", "line one\nline two")
    out = Terminal()
    print_table(table, out=out)
    assert "…" not in out.getvalue() and "load-facilit" in out.getvalue()
    plain = io.StringIO()
    print_table(table, out=plain)
    assert plain.getvalue().splitlines()[1] == "load-facilities-with-a-long-name\tline one line two"
