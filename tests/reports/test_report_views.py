"""Report pages, CSV and JSON: who may see them, what bad filters get, and that no Veteran is identified."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import pytest

from factories import consult, key, ordinary, veteran
from harness import SERVICE, sign_in

REPORTS = [
    "dst-use",
    "eligibility-bases",
    "best-medical-interest",
    "veteran-option",
    "forwarding",
    "partner-errors",
    "time-to-decision",
    "access-standards",
]


def saved_record(client) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    v = veteran(ordinary)
    record = client.post("/api/v1/dst", json=consult(v), headers=SERVICE).json()
    seoc = client.get(f"/api/v1/dst/{record['dstId']}/seocs", headers=SERVICE).json()["seocs"][0]["seocId"]
    body = {"veteranOption": "opt-in", "seocId": seoc, "forward": True}
    response = client.put(f"/api/v1/dst/{record['dstId']}/decision", json=body, headers={**SERVICE, **key()})
    assert response.status_code == 200, response.text
    return {"dstId": record["dstId"], "icn": v.icn, "dfn": v.dfn, "name": v.family_name}


@pytest.mark.parametrize("role", ["provider", "scheduler", "auditor"])
def test_only_reporting_and_admin_see_reports(client, role: str) -> None:
    assert client.get("/reports").status_code == 401
    assert client.get("/api/v1/reports/dst-use").status_code == 401
    assert client.get("/api/v1/reports/dst-use", headers=SERVICE).status_code == 403
    sign_in(client, role)
    assert client.get("/reports").status_code == 403
    assert client.get("/reports/forwarding.csv").status_code == 403
    assert 'href="/reports"' not in client.get("/").text


@pytest.mark.parametrize("role", ["reporting", "admin"])
def test_reporting_and_admin_get_every_report_with_no_phi(client, role: str) -> None:
    who = saved_record(client)
    sign_in(client, role)
    page = client.get("/reports")
    assert page.status_code == 200
    assert 'href="/reports"' in page.text  # main navigation link
    bodies = [page.text]
    for name in REPORTS:
        data = client.get(f"/api/v1/reports/{name}")
        assert data.status_code == 200 and data.json()["name"] == name
        download = client.get(f"/reports/{name}.csv")
        assert download.status_code == 200 and download.headers["content-type"].startswith("text/csv")
        assert "attachment" in download.headers["content-disposition"]
        bodies += [data.text, download.text, client.get(f"/reports/{name}").text]
    for body in bodies:
        for secret in (who["dstId"], who["icn"], who["name"]):
            assert secret not in body


def test_page_has_a_chart_and_an_accessible_table_and_no_inline_script(client) -> None:
    saved_record(client)
    sign_in(client, "reporting")
    page = client.get("/reports/veteran-option").text
    assert 'role="img"' in page and "<canvas" in page
    assert "<caption>Veteran option," in page
    assert '<th scope="col"' in page and '<th scope="row">Opted in to community care</th>' in page
    for tag in re.findall(r"<script[^>]*>", page):
        assert "src=" in tag or 'type="application/json"' in tag
    assert client.get("/static/build/chart.umd.min.js").status_code == 200
    assert client.get("/static/reports.js").status_code == 200


def test_csv_matches_the_json_figures(client) -> None:
    saved_record(client)
    sign_in(client, "reporting")
    data = client.get("/api/v1/reports/veteran-option").json()
    rows = list(csv.reader(io.StringIO(client.get("/reports/veteran-option.csv").text)))
    assert rows[0] == [c["label"] for c in data["columns"]]
    assert rows[1] == ["Opted in to community care", "opt-in", "1", "100.0"]
    assert rows[-1][0] == "All decisions"


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"from": "2026-03-01", "to": "2026-02-01"}, "before it starts"),
        ({"station": "999"}, "not a known VA station"),
        ({"station": "52"}, "not a known VA station"),
        ({"visn": "99"}, "not a VISN"),
        ({"clinicalService": "ASTROLOGY"}, "not a clinical service"),
        ({"from": "yesterday"}, "use YYYY-MM-DD"),
        ({"from": "1900-01-01", "to": "2026-01-01"}, "more than 20 years"),
    ],
)
def test_bad_filters_get_a_clear_message(client, params: dict[str, str], message: str) -> None:
    sign_in(client, "reporting")
    api = client.get("/api/v1/reports/dst-use", params=params)
    assert api.status_code == 422
    assert api.headers["content-type"] == "application/problem+json"
    assert message in api.json()["detail"]
    page = client.get("/reports", params=params)
    assert page.status_code == 422
    assert message in page.text and 'role="alert"' in page.text
    assert client.get("/reports/forwarding.csv", params=params).status_code == 422


def test_station_outside_the_chosen_visn_is_named(client) -> None:
    sign_in(client, "reporting")
    response = client.get("/api/v1/reports/forwarding", params={"visn": "21", "station": "523"})
    assert response.status_code == 422
    assert "Station 523 is in VISN 1, not VISN 21." in response.json()["detail"]


def test_a_ten_year_range_and_an_empty_range_give_labelled_reports(client) -> None:
    saved_record(client)
    sign_in(client, "reporting")
    ten_years = client.get(
        "/api/v1/reports/veteran-option", params={"from": "2017-01-01", "to": "2026-12-31"}
    )
    assert ten_years.status_code == 200 and ten_years.json()["empty"] is False
    assert ten_years.json()["filters"]["from"] == "2017-01-01"
    assert ten_years.json()["filters"]["to"] == "2026-12-31"
    for name in REPORTS:
        empty = client.get(f"/api/v1/reports/{name}", params={"from": "2001-01-01", "to": "2001-01-31"})
        assert empty.status_code == 200
        assert empty.json()["empty"] is True and empty.json()["rows"] == []
        assert empty.json()["notes"][0].startswith("No ")
    page = client.get("/reports", params={"from": "2001-01-01", "to": "2001-01-31", "visn": "1"})
    assert page.status_code == 200 and "No saved decisions in this range and filter." in page.text
    assert client.get("/reports/nonsense").status_code == 404


def test_reports_are_documented_in_openapi(client) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for name in REPORTS:
        assert f"/api/v1/reports/{name}" in paths
    sign_in(client, "reporting")
    listed = client.get("/api/v1/reports").json()
    assert [r["name"] for r in listed] == REPORTS
