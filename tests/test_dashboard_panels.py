"""Dashboard panels on their own: the shell, each fragment, partner outages and the read-only states."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from dst.web.dates import long_date

from factories import days_from_today, key
from harness import SERVICE, open_record_id, settings_for, sign_in
from live_server import free_port

PANELS = ("patient", "facilities", "map", "eligibility", "providers", "decision")


def test_shell_has_a_placeholder_per_panel_and_a_no_script_fallback(client) -> None:
    dst_id = open_record_id(client)
    sign_in(client)
    page = client.get(f"/dst/{dst_id}")
    assert page.status_code == 200
    for name in PANELS:
        assert f'data-panel="/dst/{dst_id}/panels/{name}"' in page.text
    assert f'<noscript><meta http-equiv="refresh" content="0; url=/dst/{dst_id}?static=1">' in page.text
    assert "<script>" not in page.text and "style=" not in page.text  # the strict CSP allows neither


def test_each_fragment_renders_its_panel(client) -> None:
    dst_id = open_record_id(client)
    sign_in(client)
    parts = {name: client.get(f"/dst/{dst_id}/panels/{name}") for name in PANELS}
    assert all(p.status_code == 200 for p in parts.values())
    assert "Residential address used" in parts["patient"].text
    assert "sorted by drive time" in parts["facilities"].text
    assert "VA average wait" in parts["facilities"].text
    assert "Community care average wait" in parts["facilities"].text
    assert re.search(r'<svg class="map"[^>]*role="img"', parts["map"].text)
    assert '<desc id="map-desc">The Veteran is at the centre.' in parts["map"].text
    assert "38 CFR 17.4010" in parts["eligibility"].text
    assert "(PPMS)" in parts["providers"].text
    assert 'name="veteranOption"' in parts["decision"].text
    assert "<html" not in parts["facilities"].text  # a fragment, not a page


def test_unknown_panel_is_a_readable_404(client) -> None:
    dst_id = open_record_id(client)
    sign_in(client)
    response = client.get(f"/dst/{dst_id}/panels/weather")
    assert response.status_code == 404


def test_facilities_outside_the_standard_are_labelled_in_text(client) -> None:
    dst_id = open_record_id(client)
    sign_in(client)
    html = client.get(f"/dst/{dst_id}/panels/facilities").text
    rows = re.findall(r"<tr class=\"(outside)?\">", html)
    outside = [r for r in rows if r]
    assert html.count("Outside standard</span>") == len(outside)


def test_a_dead_partner_shows_on_its_own_panel_only(database_url: str) -> None:
    from dst.main import create_app

    dead = f"http://127.0.0.1:{free_port()}"
    app = create_app(settings_for(database_url, ppms_url=dead, partner_timeout_s=2))
    with TestClient(app) as client:
        dst_id = open_record_id(client)
        sign_in(client)
        providers = client.get(f"/dst/{dst_id}/panels/providers").text
        facilities = client.get(f"/dst/{dst_id}/panels/facilities").text
    # In place, one plain sentence and the code; the advice and Retry come once, for the summary.
    assert "The community provider directory (PPMS) is not available at the moment." in providers
    assert providers.count('data-problem="PPMS-UNAVAILABLE"') == 1
    assert providers.count("Retry PPMS</button>") == 1
    assert "PPMS" not in facilities and "sorted by drive time" in facilities


def decision_fields(client: Any, dst_id: str) -> dict[str, str]:
    page = client.get(f"/dst/{dst_id}?static=1").text
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', page))
    seoc = re.search(r'<option value="(SEOC[^"]+)"', page)
    assert seoc is not None
    return {**fields, "veteranOption": "opt-in", "seocId": seoc.group(1), "forward": "no"}


def test_a_stale_save_is_a_clear_409_naming_who_saved(client) -> None:
    dst_id = open_record_id(client)
    sign_in(client)
    stale = decision_fields(client, dst_id)
    first = client.post(f"/dst/{dst_id}/decision", data=decision_fields(client, dst_id))
    assert first.status_code == 200
    second = client.post(f"/dst/{dst_id}/decision", data={**stale, "veteranOption": "tbd"})
    assert second.status_code == 409
    assert "Someone else saved this record first" in second.text
    assert "changed after you opened it" in second.text


def test_a_record_saved_by_someone_else_says_who_and_when(client) -> None:
    dst_id = open_record_id(client)
    sign_in(client, "provider")
    assert client.post(f"/dst/{dst_id}/decision", data=decision_fields(client, dst_id)).status_code == 200
    sign_in(client, "scheduler")
    page = client.get(f"/dst/{dst_id}").text
    assert "Saved by someone else" in page and "(provider) at " in page


def test_scheduler_records_the_agreed_later_date_with_who_and_when(client) -> None:
    dst_id = open_record_id(client)
    sign_in(client, "scheduler")
    fields = decision_fields(client, dst_id)
    body = {**fields, "nextAvailableDate": days_from_today(40), "veteranAgreedLaterDate": days_from_today(45)}
    saved = client.post(f"/dst/{dst_id}/decision", data=body)
    assert saved.status_code == 200
    page = client.get(f"/dst/{dst_id}?static=1").text
    agreed = long_date(days_from_today(45))  # the pages write dates in words; the API keeps ISO
    assert f"<dt>Later date the Veteran agreed to</dt><dd>{agreed}" in page
    assert f"<dt>Wait-time eligibility date</dt><dd><strong>{agreed}</strong>" in page
    entries = client.get(f"/api/v1/dst/{dst_id}", headers=SERVICE).json()["entries"]
    assert entries["agreementRecordedBy"] and entries["agreementRecordedAt"]
    assert f"recorded by <strong>{entries['agreementRecordedBy']}</strong>" in page


def test_agreement_witness_stays_while_the_date_stands(client) -> None:
    dst_id = open_record_id(client)
    api = {**SERVICE}
    body = {"veteranOption": "opt-out", "forward": False, "veteranAgreedLaterDate": days_from_today(30)}
    client.put(f"/api/v1/dst/{dst_id}/decision", json=body, headers={**api, **key()})
    first = client.get(f"/api/v1/dst/{dst_id}", headers=api).json()["entries"]
    client.put(f"/api/v1/dst/{dst_id}/decision", json=body, headers={**api, **key()})
    again = client.get(f"/api/v1/dst/{dst_id}", headers=api).json()["entries"]
    assert again["agreementRecordedAt"] == first["agreementRecordedAt"]
    client.put(
        f"/api/v1/dst/{dst_id}/decision",
        json={**body, "veteranAgreedLaterDate": None},
        headers={**api, **key()},
    )
    cleared = client.get(f"/api/v1/dst/{dst_id}", headers=api).json()["entries"]
    assert cleared["agreementRecordedBy"] is None


def basic_ineligible(v: Any) -> bool:
    return v.mvi_behaviour == "ok" and v.ee_behaviour == "ok" and {c.code for c in v.vce_codes} == {"X"}


def test_basic_ineligible_veteran_can_only_document_it(client) -> None:
    dst_id = open_record_id(client, who=basic_ineligible)
    sign_in(client)
    html = client.get(f"/dst/{dst_id}?static=1").text
    assert "No basic community care eligibility (E&amp;E code X)" in html
    assert "Save to document ineligibility" in html
    assert 'name="bmiFactor"' not in html


@pytest.mark.parametrize("tiles", [None, "https://tiles.example.test/{z}/{x}/{y}.png"])
def test_map_draws_tiles_only_when_a_base_map_is_configured(database_url: str, tiles: str | None) -> None:
    from dst.main import create_app

    with TestClient(create_app(settings_for(database_url, map_tile_url=tiles))) as client:
        dst_id = open_record_id(client)
        sign_in(client)
        page = client.get(f"/dst/{dst_id}")
        fragment = client.get(f"/dst/{dst_id}/panels/map").text
    csp = page.headers["content-security-policy"]
    if tiles:
        assert '<image href="https://tiles.example.test/' in fragment
        assert "img-src 'self' data: https://tiles.example.test;" in csp
    else:
        assert "<image" not in fragment and "no street map is drawn beneath" in fragment
        assert "DST_MAP_TILE_URL" not in fragment  # a setting name means nothing to a clinician
        assert "img-src 'self' data:;" in csp


def test_clinical_service_typeahead_finds_names_and_synonyms(client) -> None:
    sign_in(client)
    by_name = client.get("/api/v1/clinical-services?q=ortho")
    assert by_name.status_code == 200, by_name.text
    assert any(s["name"] == "ORTHOPEDICS" for s in by_name.json())
    every = client.get("/api/v1/clinical-services").json()
    synonym = next(s["synonyms"][0] for s in every if s["synonyms"])
    owner = next(s["name"] for s in every if synonym in s["synonyms"])
    found = client.get("/api/v1/clinical-services", params={"q": synonym}).json()
    assert owner in [s["name"] for s in found]
    assert len({s["name"] for s in found}) == len(found)  # each service once, however many synonyms match
