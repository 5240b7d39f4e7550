"""The DST page for people: the dashboard, the decision form, and its errors."""

from __future__ import annotations

import re

from factories import consult, ordinary, veteran
from harness import SERVICE, sign_in


def open_page(client, service: str = "ORTHOPEDICS", **overrides):  # type: ignore[no-untyped-def]
    record = client.post(
        "/api/v1/dst", json=consult(veteran(ordinary), service, **overrides), headers=SERVICE
    ).json()
    sign_in(client)
    page = client.get(f"/dst/{record['dstId']}?static=1")
    assert page.status_code == 200
    return record, page


def form_fields(html: str) -> dict[str, str]:
    return dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', html))


def test_dashboard_shows_every_section(client) -> None:
    _record, page = open_page(client)
    for heading in (
        "Consult",
        "VA facilities offering ORTHOPEDICS",
        "Community care eligibility",
        "Community providers nearby",
        "Decision",
    ):
        assert heading in page.text
    assert page.headers["content-security-policy"].startswith("default-src 'self'")


def test_saving_from_the_form_shows_the_consult_text_and_vista_preview(client) -> None:
    record, page = open_page(client)
    fields = form_fields(page.text)
    seoc = re.search(r'<option value="(SEOC[^"]+)"', page.text)
    assert seoc is not None
    response = client.post(
        f"/dst/{record['dstId']}/decision",
        data={
            **fields,
            "veteranOption": "opt-in",
            "seocId": seoc.group(1),
            "forward": "yes",
            "forwardTo": "COMMUNITY CARE-ORTHOPEDICS",
        },
    )
    assert response.status_code == 200
    assert f"DST ID:{record['dstId']}#" in response.text
    assert "DAF-DST Forwarding: YES" in response.text


def test_form_errors_are_shown_and_nothing_is_saved(client) -> None:
    record, page = open_page(client)
    fields = form_fields(page.text)
    response = client.post(
        f"/dst/{record['dstId']}/decision", data={**fields, "veteranOption": "opt-in", "forward": "no"}
    )
    assert response.status_code == 422
    assert "The decision was not saved" in response.text and "SEOC is required" in response.text
    saved = client.get(f"/api/v1/dst/{record['dstId']}", headers=SERVICE).json()
    assert saved["decision"] is None


def test_form_without_csrf_token_is_refused(client) -> None:
    record, page = open_page(client)
    fields = form_fields(page.text)
    fields.pop("csrf")
    response = client.post(
        f"/dst/{record['dstId']}/decision", data={**fields, "veteranOption": "opt-out", "forward": "no"}
    )
    assert response.status_code == 403
    assert client.get(f"/api/v1/dst/{record['dstId']}", headers=SERVICE).json()["decision"] is None


def test_pages_need_sign_in_and_a_clinical_role(client) -> None:
    record = client.post("/api/v1/dst", json=consult(veteran(ordinary)), headers=SERVICE).json()
    anonymous = client.get(f"/dst/{record['dstId']}", follow_redirects=False)
    assert anonymous.status_code in (303, 401)
    sign_in(client, "reporting")
    assert client.get(f"/dst/{record['dstId']}").status_code == 403


def test_demo_routes_are_dev_only(client) -> None:
    patients = client.get("/api/v1/demo/patients").json()
    assert {"icn", "station", "dfn", "name", "state", "scenario"} <= set(patients[0])
    client.app.state.settings = client.app.state.settings.model_copy(update={"env": "prod"})
    assert client.get("/api/v1/demo/patients").status_code == 404
    assert client.get("/dev/sign-in?role=provider&next=/").status_code == 404


def test_sign_in_never_redirects_off_site(client) -> None:
    response = client.get("/dev/sign-in?role=provider&next=//evil.example/", follow_redirects=False)
    assert response.headers["location"] == "/"
