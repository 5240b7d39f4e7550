"""Consult Toolbox: requires-dst answers and the launch that opens the DST page."""

from __future__ import annotations

from urllib.parse import urlencode

from factories import consult, ordinary, veteran
from harness import sign_in


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
    assert requires(client, "PROSTHETICS REQUEST").text == "FALSE"
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
    page = client.get(f"/launch?{query}")  # follows sign-in, the launch, then the record page
    assert page.status_code == 200
    assert "PODIATRY" in page.text and "Community care eligibility" in page.text


def test_launch_opens_then_reopens_the_same_record(client) -> None:
    sign_in(client)
    query = launch_query()
    first = client.get(f"/launch?{query}", follow_redirects=False)
    again = client.get(f"/launch?{query}", follow_redirects=False)
    assert first.status_code == again.status_code == 303
    assert first.headers["location"] == again.headers["location"]
    assert first.headers["location"].startswith("/dst/")


def test_unmapped_consult_service_asks_for_the_clinical_service(client) -> None:
    sign_in(client)
    page = client.get(
        f"/launch?{launch_query(consultService='FOOT AND ANKLE CLINIC')}", follow_redirects=False
    )
    assert page.status_code == 200
    assert "Choose the clinical service" in page.text
    chosen = client.get(
        f"/launch?{launch_query(consultService='FOOT AND ANKLE CLINIC', clinicalService='PODIATRY')}",
        follow_redirects=False,
    )
    assert chosen.status_code == 303


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
