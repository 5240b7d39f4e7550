"""The decision form's errors in plain words at their fields, and the schedulers' worklist and dates."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select

from dst.audit.models import AuditEvent
from dst.web.dates import long_date
from test_pages import form_fields

from factories import days_from_today, key, near_va, ordinary, veteran
from harness import SERVICE, open_record, sign_in


def seoc_of(client: Any, dst_id: str) -> str:
    return str(client.get(f"/api/v1/dst/{dst_id}/seocs", headers=SERVICE).json()["seocs"][0]["seocId"])


def save(client: Any, dst_id: str, body: dict[str, Any]) -> dict[str, Any]:
    response = client.put(f"/api/v1/dst/{dst_id}/decision", json=body, headers={**SERVICE, **key()})
    assert response.status_code == 200, response.text
    return dict(response.json())


def page_fields(client: Any, dst_id: str) -> dict[str, str]:
    page = client.get(f"/dst/{dst_id}?static=1")
    assert page.status_code == 200
    fields = form_fields(page.text)
    checked = re.findall(r'name="(veteranOption|forward)" value="([^"]+)" checked', page.text)
    seoc = re.search(r'<option value="([^"]+)" selected>', page.text)
    forward_to = re.search(r'id="forwardTo" name="forwardTo" list="cc-services" value="([^"]*)"', page.text)
    return {
        **fields,
        **dict(checked),
        "seocId": seoc.group(1) if seoc else "",
        "forwardTo": forward_to.group(1) if forward_to else "",
    }


def group_of(html: str, group: str) -> str:
    """The form group holding a field's message, from its opening tag to the message."""
    opening = '<div class="usa-form-group usa-form-group--error">'
    inside = '(?:(?!<div class="usa-form-group).)*?'
    match = re.search(rf'{opening}{inside}id="{group}-error">([^<]*)<', html, re.S)
    assert match is not None, f"no error group for {group}"
    return match.group(1)


def test_a_missing_option_is_linked_from_the_summary_and_said_in_its_group(client) -> None:
    record = open_record(client)
    sign_in(client)
    fields = page_fields(client, record["dstId"])
    fields.pop("veteranOption", None)
    response = client.post(f"/dst/{record['dstId']}/decision", data={**fields, "forward": "no"})
    assert response.status_code == 422
    html = response.text
    summary = re.search(
        r'<div class="usa-alert usa-alert--error error-summary"[^>]*id="form-errors".*?</ul>', html, re.S
    )
    assert summary is not None
    assert '<a href="#opt-tbd">Choose the Veteran&#39;s community care option' in summary.group(0)
    assert "veteranOption" not in re.sub(r'(name|for|id|href)="[^"]*"', "", summary.group(0))
    assert "Input should be" not in html
    assert group_of(html, "veteranOption").startswith("Choose the Veteran")
    assert 'aria-describedby="veteranOption-error" aria-invalid="true"' in html
    # The summary heads the decision form, inside the decision column, not above the page.
    assert html.index('id="dec-h"') < html.index('id="form-errors"') < html.index('name="baseVersion"')
    assert client.get(f"/api/v1/dst/{record['dstId']}", headers=SERVICE).json()["decision"] is None


def test_a_domain_refusal_sits_at_its_field_in_plain_words(client) -> None:
    record = open_record(client)
    sign_in(client)
    fields = page_fields(client, record["dstId"])
    response = client.post(
        f"/dst/{record['dstId']}/decision",
        data={**fields, "veteranOption": "opt-in", "seocId": "", "forward": "no"},
    )
    assert response.status_code == 422
    assert '<a href="#seocId">A SEOC is required' in response.text
    assert group_of(response.text, "seocId").startswith("A SEOC is required")
    assert re.search(
        r'id="seocId" name="seocId" aria-describedby="seocId-error" aria-invalid="true"', response.text
    )


def test_an_empty_bmi_explanation_is_asked_for_at_the_explanation(client) -> None:
    record = open_record(client, service="CARDIOLOGY", who=veteran(near_va), signed=False)
    sign_in(client)
    fields = page_fields(client, record["dstId"])
    assert 'id="bmiFactor"' in client.get(f"/dst/{record['dstId']}?static=1").text
    response = client.post(
        f"/dst/{record['dstId']}/decision",
        data={
            **fields,
            "veteranOption": "opt-out",
            "forward": "no",
            "bmiFactor": "quality-standards",
            "bmiExplanation": "",
        },
    )
    assert response.status_code == 422
    assert "bmi.explanation" not in response.text and "at least 1 character" not in response.text
    assert group_of(response.text, "bmiExplanation").startswith("Explain why community care")
    assert '<a href="#bmiExplanation">' in response.text


def test_someone_else_saving_first_keeps_its_own_message(client) -> None:
    record = open_record(client)
    sign_in(client)
    fields = page_fields(client, record["dstId"])
    save(client, record["dstId"], {"veteranOption": "opt-out", "forward": False})
    response = client.post(
        f"/dst/{record['dstId']}/decision", data={**fields, "veteranOption": "opt-out", "forward": "no"}
    )
    assert response.status_code == 409
    assert "Someone else saved this record first" in response.text
    assert "error-summary" not in response.text and "usa-form-group--error" not in response.text


def test_the_api_keeps_its_problem_json(client) -> None:
    record = open_record(client)
    response = client.put(
        f"/api/v1/dst/{record['dstId']}/decision", json={"forward": False}, headers={**SERVICE, **key()}
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"][0]["field"] == "veteranOption"


def test_long_dates_as_the_design_system_writes_them() -> None:
    assert long_date("2026-12-30") == "December 30, 2026"
    assert long_date("2027-01-05") == "January 5, 2027"
    assert long_date(None, "not recorded yet") == "not recorded yet"
    assert long_date("soon") == "soon"


def opted_in(client: Any, **overrides: Any) -> str:
    record = open_record(client, **overrides)
    save(
        client,
        record["dstId"],
        {"veteranOption": "opt-in", "seocId": seoc_of(client, record["dstId"]), "forward": False},
    )
    return str(record["dstId"])


def worklist_ids(client: Any, station: str = "") -> list[str]:
    page = client.get("/scheduling" + (f"?station={station}" if station else ""))
    assert page.status_code == 200, page.text
    return re.findall(r'<a href="/dst/([A-Z0-9]+)">', page.text)


def test_the_worklist_lists_consults_waiting_for_a_date(client) -> None:
    waiting = opted_in(client)
    pending = open_record(client, service="CARDIOLOGY", who=veteran(near_va))["dstId"]
    save(client, pending, {"veteranOption": "opt-out", "forward": False})
    dated = opted_in(client)
    save(
        client,
        dated,
        {
            "veteranOption": "opt-in",
            "seocId": seoc_of(client, dated),
            "forward": False,
            "nextAvailableDate": days_from_today(40),
        },
    )
    opted_out = open_record(client)["dstId"]
    save(client, opted_out, {"veteranOption": "opt-out", "forward": False})
    undecided = open_record(client)["dstId"]
    sign_in(client, "scheduler")
    listed = worklist_ids(client)
    assert waiting in listed and pending in listed
    assert dated not in listed and opted_out not in listed and undecided not in listed
    page = client.get("/scheduling").text
    assert "Wait time is decided at scheduling" in page and "The Veteran opted in" in page
    assert long_date(days_from_today(0)) in page


def test_the_worklist_filters_by_station_and_audits_the_records_shown(client) -> None:
    here = veteran(ordinary)
    elsewhere = veteran(lambda v: ordinary(v) and v.station != here.station)
    mine = opted_in(client, who=here)
    theirs = opted_in(client, who=elsewhere)
    sign_in(client, "scheduler")
    assert {mine, theirs} <= set(worklist_ids(client))
    filtered = worklist_ids(client, here.station)
    assert mine in filtered and theirs not in filtered
    with client.app.state.sessions() as session:
        event = session.scalars(
            select(AuditEvent)
            .where(AuditEvent.action == "view-scheduling-worklist")
            .order_by(AuditEvent.id.desc())
        ).first()
    assert event is not None and event.station == here.station
    assert mine in event.detail["dstIds"] and theirs not in event.detail["dstIds"]
    assert client.get("/scheduling?station=<x>").status_code == 422


def test_the_worklist_is_for_schedulers(client) -> None:
    assert client.get("/scheduling", follow_redirects=False).status_code in (303, 401)
    sign_in(client, "provider")
    assert client.get("/scheduling").status_code == 403
    assert "/scheduling" not in client.get("/").text
    sign_in(client, "scheduler")
    assert '<a href="/scheduling">' in client.get("/").text


def test_a_scheduler_saves_a_date_and_the_saved_option_is_kept(client) -> None:
    dst_id = opted_in(client)
    sign_in(client, "scheduler")
    page = client.get(f"/dst/{dst_id}?static=1").text
    # Their section comes first; the provider's part is kept as saved, folded away.
    assert (
        page.index('id="nextAvailableDate"')
        < page.index('<details class="saved-decision">')
        < page.index('id="opt-tbd"')
    )
    assert "The rest of the decision, kept as saved: opted in" in page
    fields = page_fields(client, dst_id)
    assert fields["veteranOption"] == "opt-in"
    response = client.post(
        f"/dst/{dst_id}/decision", data={**fields, "nextAvailableDate": days_from_today(45)}
    )
    assert response.status_code == 200, response.text
    saved = client.get(f"/api/v1/dst/{dst_id}", headers=SERVICE).json()
    assert saved["entries"]["veteranOption"] == "opt-in"
    assert saved["entries"]["nextAvailableDate"] == days_from_today(45)
    assert saved["decision"]["revision"] == 2 and saved["version"] == 3
    assert dst_id not in worklist_ids(client)
    # The wait-time dates are written in words on the page; the API keeps ISO dates.
    page = client.get(f"/dst/{dst_id}?static=1").text
    assert long_date(days_from_today(45)) in page


def test_a_scheduler_date_error_is_at_the_date(client) -> None:
    dst_id = opted_in(client)
    sign_in(client, "scheduler")
    fields = page_fields(client, dst_id)
    response = client.post(
        f"/dst/{dst_id}/decision", data={**fields, "nextAvailableDate": days_from_today(-400)}
    )
    assert response.status_code == 422
    message = group_of(response.text, "nextAvailableDate")
    assert message.startswith("The next available VA appointment ") and "before the consult" in message
    assert not re.search(r"\d{4}-\d{2}-\d{2}", message)
