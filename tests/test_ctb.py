"""Consult Toolbox: requires-dst answers and the launch that opens the DST page."""

from __future__ import annotations

from urllib.parse import urlencode

from factories import consult, ordinary, veteran
from harness import SERVICE, confirm_launch, launch, sign_in


def requires(client, service: str, station: str = "688"):  # type: ignore[no-untyped-def]
    return client.get("/ctb/v1/requires-dst", params={"service": service, "station": station})


def test_mission_act_services_require_dst_at_any_station(client) -> None:
    for station in ("688", "523", "640", "463", "459", "608"):
        for name in ("CARDIOLOGY", "primary care", "Mental  Health", "WOMENS HEALTH", "PODIATRY"):
            response = requires(client, name, station)
            assert response.status_code == 200
            assert response.headers["content-type"].startswith("text/plain")
            assert response.text == "TRUE", (station, name)


def test_synonyms_and_community_care_names_require_dst(client) -> None:
    assert requires(client, "ENT").text == "TRUE"
    assert requires(client, "COMMUNITY CARE-PODIATRY").text == "TRUE"


def test_other_consults_do_not_require_dst_and_are_remembered_as_unmapped(client) -> None:
    asked = {"service": "PROSTHETICS REQUEST", "station": "688"}
    assert client.get("/ctb/v1/requires-dst", params=asked, headers=SERVICE).text == "FALSE"
    from sqlalchemy import select

    from dst.reference.models import ConsultService

    with client.app.state.sessions() as session:
        seen = session.scalar(select(ConsultService).where(ConsultService.name == "PROSTHETICS REQUEST"))
    assert seen is not None and seen.source == "seen" and seen.clinical_service_id is None


def test_requires_dst_bad_input(client) -> None:
    assert requires(client, "CARDIOLOGY", "999").status_code == 404
    assert client.get("/ctb/v1/requires-dst", params={"station": "688"}).status_code == 422
    assert requires(client, "CARDIOLOGY", "68A").status_code == 422


def launch_query(**overrides: str) -> str:
    body = consult(veteran(ordinary), "PODIATRY")
    body.update(overrides)
    body["user"] = "DOCTOR,DEMO"
    body["signed"] = str(body["signed"]).lower()
    return urlencode({k: v for k, v in body.items() if v is not None})


def test_launch_without_a_session_goes_to_sign_in_and_back(client) -> None:
    query = launch_query()
    first = client.get(f"/launch?{query}", follow_redirects=False)
    assert first.status_code == 303 and first.headers["location"].startswith("/dev/sign-in?")
    page = client.get(f"/launch?{query}")  # follows sign-in back to the launch: the confirmation
    assert page.status_code == 200 and "Open DST for this consult" in page.text
    opened = confirm_launch(client, page)
    assert opened.status_code == 303 and opened.headers["location"].startswith("/dst/")
    board = client.get(opened.headers["location"])
    assert "PODIATRY" in board.text and "Community care eligibility" in board.text


def test_launch_opens_then_reopens_the_same_record(client) -> None:
    sign_in(client)
    query = launch_query()
    first = launch(client, query)
    page = client.get(f"/launch?{query}")
    assert "Reopen DST record" in page.text and "already has a DST record" in page.text
    again = confirm_launch(client, page)
    assert first.status_code == again.status_code == 303
    assert first.headers["location"] == again.headers["location"]
    assert first.headers["location"].startswith("/dst/")


def counts(client) -> dict[str, int]:  # type: ignore[no-untyped-def]
    from sqlalchemy import func, select

    from dst.audit.models import AuditEvent
    from dst.consults.models import DstRecord
    from dst.reference.models import ConsultService

    with client.app.state.sessions() as session:
        return {
            model.__name__: session.scalar(select(func.count()).select_from(model)) or 0
            for model in (DstRecord, AuditEvent, ConsultService)
        }


class NoPartners:
    def __getattr__(self, name: str) -> None:
        raise AssertionError(f"a GET /launch called a partner ({name})")


def test_a_get_launch_shows_the_consult_and_changes_nothing(client) -> None:
    """Any site can make a signed-in browser GET the launch URL: that alone opens and calls nothing."""
    sign_in(client)
    panels = client.app.state.panels
    real, panels.gateway = panels.gateway, NoPartners()
    try:
        before = counts(client)
        page = client.get(f"/launch?{launch_query(consultNumber='4242')}", follow_redirects=False)
        unmapped = client.get(
            f"/launch?{launch_query(consultService='FOOT AND ANKLE CLINIC')}", follow_redirects=False
        )
        assert counts(client) == before
    finally:
        panels.gateway = real
    assert page.status_code == 200 and unmapped.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    assert "Open DST for this consult" in page.text and "Number 4242" in page.text
    assert "PODIATRY" in page.text and "Nothing has been opened or saved yet" in page.text
    # One keystroke confirms: the button is the form's first control and takes the focus.
    form = page.text.split('<form method="post" action="/launch"', 1)[1].split("</form>", 1)[0]
    assert '<button class="usa-button" type="submit" id="confirm-launch" autofocus' in form
    assert "<a " not in form and "<select" not in form and 'type="text"' not in form
    assert 'name="csrf"' in form


def test_the_confirmation_needs_the_pages_csrf_token(client) -> None:
    sign_in(client)
    page = client.get(f"/launch?{launch_query()}")
    before = counts(client)
    for token in ("", "forged"):
        refused = confirm_launch(client, page, csrf=token)
        assert refused.status_code == 403 and "Traceback" not in refused.text
    assert counts(client) == before
    assert confirm_launch(client, page).status_code == 303


def test_a_role_that_cannot_open_records_is_refused_before_anything_happens(client) -> None:
    sign_in(client, "reporting")
    before = counts(client)
    page = client.get(f"/launch?{launch_query()}", follow_redirects=False)
    assert page.status_code == 403 and "Traceback" not in page.text
    assert client.post("/launch", data={}, follow_redirects=False).status_code == 403
    after = counts(client)
    assert after["DstRecord"] == before["DstRecord"]


def test_unmapped_consult_service_asks_for_the_clinical_service(client) -> None:
    sign_in(client)
    before = counts(client)
    page = client.get(
        f"/launch?{launch_query(consultService='FOOT AND ANKLE CLINIC')}", follow_redirects=False
    )
    assert page.status_code == 200
    assert "Choose the clinical service" in page.text and 'method="post" action="/launch"' in page.text
    assert counts(client) == before  # the unmapped name is noted once the clinician acts on it
    chosen = confirm_launch(client, page, clinicalService="PODIATRY")
    assert chosen.status_code == 303 and chosen.headers["location"].startswith("/dst/")
    assert counts(client)["ConsultService"] == before["ConsultService"] + 1
    # CTB may also send the official service itself: the confirmation then opens it directly.
    direct = client.get(
        f"/launch?{launch_query(consultService='FOOT AND ANKLE CLINIC', clinicalService='PODIATRY')}",
        follow_redirects=False,
    )
    assert direct.status_code == 200 and "Open DST for this consult" in direct.text
    assert confirm_launch(client, direct).status_code == 303


def test_a_launch_for_another_veteran_on_an_existing_consult_is_refused(client) -> None:
    from sqlalchemy import select

    from dst.audit.models import AuditEvent
    from dst.consults.models import DstRecord

    first = veteran(ordinary)
    other = veteran(lambda v: ordinary(v) and v.icn != first.icn and v.dfn != first.dfn)
    sign_in(client)
    query = launch_query(consultNumber="777001")
    opened = launch(client, query)
    dst_id = opened.headers["location"].rsplit("/", 1)[-1]
    foreign = launch_query(consultNumber="777001", icn=other.icn, dfn=other.dfn)
    refused = client.get(f"/launch?{foreign}", follow_redirects=False)
    assert refused.status_code == 409 and refused.headers["content-type"].startswith("text/html")
    assert "another Veteran" in refused.text and "ICN and DFN" in refused.text
    assert first.icn not in refused.text and dst_id not in refused.text
    assert "Traceback" not in refused.text and 'role="alert"' in refused.text
    # A confirmation forged from the first consult's page is refused the same way.
    page = client.get(f"/launch?{query}")
    posted = confirm_launch(client, page, icn=other.icn, dfn=other.dfn)
    assert posted.status_code == 409
    with client.app.state.sessions() as session:
        record = session.scalar(select(DstRecord).where(DstRecord.dst_id == dst_id))
        assert record is not None and (record.icn, record.dfn) == (first.icn, first.dfn)
        events = session.scalars(select(AuditEvent).where(AuditEvent.action == "reopen-refused")).all()
    assert len(events) == 2
    for event in events:
        assert (event.dst_id, event.icn, event.outcome) == (dst_id, first.icn, "conflict")
        assert event.detail["via"] == "launch" and event.detail["mismatched"] == ["icn", "dfn"]
        assert event.detail["record"] == {"icn": first.icn, "dfn": first.dfn}
        assert event.detail["sent"] == {"icn": other.icn, "dfn": other.dfn}


def test_bad_launch_parameters_get_a_readable_page(client) -> None:
    sign_in(client)
    for query in (
        launch_query(station="999"),
        launch_query(fileEntryDate="yesterday"),
        launch_query(urgency="soonish"),
        "station=688",
        launch_query() + "&evil=1",
    ):
        response = client.get(f"/launch?{query}", follow_redirects=False)
        assert response.status_code == 422, query
        assert response.headers["content-type"].startswith("text/html")
        assert "Nothing was saved" in response.text
        assert "Traceback" not in response.text
