"""Hostile input: forged tokens, SQL and script text in every text field — refused or inert, never run."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from dst.consults.models import Decision, DstRecord
from dst.demo.network import demo_network

from factories import consult, key, ordinary, veteran
from harness import SERVICE, open_record_id, sign_in

SQL = "ORTHOPEDICS'; DROP TABLE dst_record; --"
SCRIPT = '<script>alert("dst")</script>'
HOSTILE = [pytest.param(SQL, id="sql"), pytest.param(SCRIPT, id="script")]


def counts(database_url: str) -> tuple[int, int]:
    engine = create_engine(database_url)
    try:
        with Session(engine) as session:
            records = session.scalar(select(func.count()).select_from(DstRecord)) or 0
            decisions = session.scalar(select(func.count()).select_from(Decision)) or 0
            return records, decisions
    finally:
        engine.dispose()


@pytest.mark.parametrize("token", ["forged", "dev-service-token-but-longer", "", "Bearer dev-service-token"])
def test_forged_bearer_tokens_are_refused_and_nothing_is_saved(client, database_url, token) -> None:
    before = counts(database_url)
    answer = client.post(
        "/api/v1/dst", json=consult(veteran(ordinary)), headers={"Authorization": f"Bearer {token}"}
    )
    assert answer.status_code == 401
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.headers["www-authenticate"] == "Bearer"
    assert counts(database_url) == before


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_consult_service_is_refused_and_nothing_saved(client, database_url, text) -> None:
    before = counts(database_url)
    answer = client.post("/api/v1/dst", json=consult(veteran(ordinary), text), headers=SERVICE)
    assert answer.status_code == 422
    assert answer.headers["content-type"] == "application/problem+json"
    assert counts(database_url) == before


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_forward_target_is_refused_and_nothing_saved(client, database_url, text) -> None:
    dst_id = open_record_id(client)
    seoc = client.get(f"/api/v1/dst/{dst_id}/seocs", headers=SERVICE).json()["seocs"][0]["seocId"]
    before = counts(database_url)
    body = {"veteranOption": "opt-in", "seocId": seoc, "forward": True, "forwardTo": text}
    answer = client.put(f"/api/v1/dst/{dst_id}/decision", json=body, headers={**SERVICE, **key()})
    assert answer.status_code == 422
    assert "forwarding target" in answer.json()["detail"]
    assert counts(database_url) == before


def bmi_record(client) -> str:  # type: ignore[no-untyped-def]
    """A record whose Veteran is eligible on no other criterion, so best medical interest is offered."""
    for v in [v for v in demo_network().veterans if ordinary(v)][:60]:
        dst_id = str(client.post("/api/v1/dst", json=consult(v), headers=SERVICE).json()["dstId"])
        if client.get(f"/api/v1/dst/{dst_id}/eligibility", headers=SERVICE).json()["bmiOffered"]:
            return dst_id
    raise AssertionError("no demo Veteran is offered best medical interest")


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_bmi_explanation_is_stored_as_text_and_escaped_on_the_page(
    client, database_url, text
) -> None:
    dst_id = bmi_record(client)
    seoc = client.get(f"/api/v1/dst/{dst_id}/seocs", headers=SERVICE).json()["seocs"][0]["seocId"]
    body = {
        "veteranOption": "opt-in",
        "seocId": seoc,
        "forward": False,
        "bmi": {"factor": "frequency", "explanation": text},
    }
    saved = client.put(f"/api/v1/dst/{dst_id}/decision", json=body, headers={**SERVICE, **key()})
    assert saved.status_code == 200, saved.text
    assert saved.json()["bmi"]["explanation"] == text  # kept exactly, as data
    assert counts(database_url)[0] > 0  # the table the SQL text names is still there
    sign_in(client, "provider")
    page = client.get(f"/dst/{dst_id}?static=1")
    assert page.status_code == 200
    assert SCRIPT not in page.text
    if text == SCRIPT:
        assert "&lt;script&gt;alert(&#34;dst&#34;)&lt;/script&gt;" in page.text
    factor = client.get(f"/vs/v2/consultFactor/{dst_id}")
    assert factor.headers["content-type"].startswith("text/plain")


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_launch_parameters_are_refused_or_escaped_and_nothing_saved(
    client, database_url, text
) -> None:
    sign_in(client, "provider")
    before = counts(database_url)
    base = {**consult(veteran(ordinary)), "signed": "false"}
    unmapped = client.get("/launch?" + urlencode({**base, "consultService": text}))
    assert unmapped.status_code == 200  # the page asks for the official clinical service
    assert SCRIPT not in unmapped.text
    for field in ("station", "dfn", "icn", "consultNumber", "urgency", "fileEntryDate"):
        answer = client.get("/launch?" + urlencode({**base, field: text}))
        assert answer.status_code == 422, field
        assert SCRIPT not in answer.text
    unknown = client.get("/launch?" + urlencode({**base, text: "1"}))
    assert unknown.status_code == 422
    assert SCRIPT not in unknown.text
    assert counts(database_url) == before


def test_a_hostile_decision_form_is_refused_and_escaped(client, database_url) -> None:
    dst_id = open_record_id(client)
    sign_in(client, "provider")
    page = client.get(f"/dst/{dst_id}?static=1")
    import re

    form = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', page.text))
    before = counts(database_url)
    answer = client.post(
        f"/dst/{dst_id}/decision",
        data={**form, "veteranOption": SCRIPT, "forward": "yes", "forwardTo": SCRIPT, "seocId": SQL},
    )
    assert answer.status_code == 422
    assert SCRIPT not in answer.text
    assert counts(database_url) == before
