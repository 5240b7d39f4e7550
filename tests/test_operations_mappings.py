"""Consult-service mapping overrides: effective at once, audited, restored on removal, kept from CDW."""

from __future__ import annotations

from sqlalchemy import func, select

from dst.audit.models import AuditEvent
from dst.operations.models import MappingOverride
from dst.reference.models import ConsultService

from harness import SERVICE, sign_in

OVERRIDES = "/api/v1/admin/consult-service-overrides"


def requires(client, service: str, station: str = "688") -> str:  # type: ignore[no-untyped-def]
    return client.get(
        "/ctb/v1/requires-dst", params={"service": service, "station": station}, headers=SERVICE
    ).text


def row(client, station: str, name: str) -> ConsultService | None:  # type: ignore[no-untyped-def]
    with client.app.state.sessions() as session:
        return session.scalar(
            select(ConsultService).where(ConsultService.station == station, ConsultService.name == name)
        )


def override(client, station: str, name: str, service: str):  # type: ignore[no-untyped-def]
    body = {"station": station, "consultService": name, "clinicalService": service}
    return client.post(OVERRIDES, json=body, headers=SERVICE)


def test_an_override_maps_an_unmapped_name_at_once_and_removal_restores_it(client) -> None:
    assert requires(client, "FOOT CLINIC LOCAL") == "FALSE"  # remembered as unmapped ("seen")
    created = override(client, "688", "Foot Clinic  Local", "foot care")
    assert created.status_code == 201, created.text
    assert created.json()["clinicalService"] == "PODIATRY"
    assert requires(client, "FOOT CLINIC LOCAL") == "TRUE"
    assert requires(client, "FOOT CLINIC LOCAL", "523") == "FALSE"  # only at that station
    stored = row(client, "688", "FOOT CLINIC LOCAL")
    assert stored is not None and stored.source == "override"

    removed = client.delete(f"{OVERRIDES}/{created.json()['id']}", headers=SERVICE)
    assert removed.status_code == 200 and removed.json()["removedAt"]
    restored = row(client, "688", "FOOT CLINIC LOCAL")
    assert restored is not None and restored.source == "seen" and restored.clinical_service_id is None
    assert requires(client, "FOOT CLINIC LOCAL") == "FALSE"
    with client.app.state.sessions() as session:
        actions = session.scalars(select(AuditEvent.action).where(AuditEvent.station == "688")).all()
    assert {"set-mapping-override", "remove-mapping-override"} <= set(actions)


def test_overriding_a_cdw_mapping_keeps_it_for_when_the_override_goes(client) -> None:
    with client.app.state.sessions() as session:
        session.add(ConsultService(station="523", name="BONE CLINIC", source="cdw", clinical_service_id=None))
        session.commit()
    first = override(client, "523", "BONE CLINIC", "ORTHOPEDICS").json()
    second = override(client, "523", "BONE CLINIC", "PODIATRY").json()  # re-pointed
    assert client.get(OVERRIDES, headers=SERVICE).json() == [second]
    assert client.delete(f"{OVERRIDES}/{first['id']}", headers=SERVICE).status_code == 404
    assert client.delete(f"{OVERRIDES}/{second['id']}", headers=SERVICE).status_code == 200
    restored = row(client, "523", "BONE CLINIC")
    assert restored is not None and restored.source == "cdw"


def test_a_new_name_override_is_removed_without_a_trace_in_the_mapping(client) -> None:
    created = override(client, "640", "HEART STATION", "CARDIOLOGY").json()
    assert requires(client, "HEART STATION", "640") == "TRUE"
    client.delete(f"{OVERRIDES}/{created['id']}", headers=SERVICE)
    assert row(client, "640", "HEART STATION") is None


def test_bad_overrides_are_refused_and_nothing_is_saved(client) -> None:
    unknown_station = override(client, "999", "FOOT", "PODIATRY")
    assert unknown_station.status_code == 422 and "Station 999" in unknown_station.json()["detail"]
    unknown_service = override(client, "688", "FOOT", "ASTROLOGY")
    assert unknown_service.status_code == 422 and "not an official clinical service" in unknown_service.text
    assert override(client, "68", "FOOT", "PODIATRY").status_code == 422
    with client.app.state.sessions() as session:
        assert session.scalar(select(func.count()).select_from(MappingOverride)) == 0
    assert row(client, "688", "FOOT") is None


def test_the_mappings_page_prefills_from_the_unmapped_list_and_saves(client) -> None:
    sign_in(client, "admin")
    page = client.get("/admin/mappings", params={"station": "688", "consultService": "EYE CLINIC X"})
    assert page.status_code == 200 and 'value="EYE CLINIC X"' in page.text
    assert '<label class="usa-label" for="clinicalService">' in page.text
    csrf = page.text.split('name="csrf" value="', 1)[1].split('"', 1)[0]
    form = {"csrf": csrf, "station": "688", "consultService": "EYE CLINIC X", "clinicalService": "nope"}
    bad = client.post("/admin/mappings", data=form)
    assert bad.status_code == 422 and 'href="#clinicalService"' in bad.text
    good = client.post("/admin/mappings", data={**form, "clinicalService": "OPHTHALMOLOGY"})
    assert good.status_code == 200 and "override is in effect" in good.text
    assert requires(client, "EYE CLINIC X") == "TRUE"
