"""The viewer's read-only sections: each loads on its own, the page works without JavaScript, all audited."""

from __future__ import annotations

from sqlalchemy import create_engine, select

from dst.audit.models import AuditEvent

from factories import consult, ordinary, veteran
from harness import SERVICE


def actions(database_url: str) -> list[str]:
    engine = create_engine(database_url)
    with engine.connect() as connection:
        found = list(connection.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))
    engine.dispose()
    return found


def test_each_section_is_a_fragment_of_its_own(client, launch) -> None:
    launch(veteran(ordinary))
    expected = {
        "demographics": "Residential address (Enrollment System)",
        "eligibility": "Each criterion of 38 CFR 17.4010",
        "facilities": "VA facilities offering ORTHOPEDICS",
        "seocs": "<details>",
    }
    for section, text in expected.items():
        fragment = client.get(f"/dsv/sections/{section}?service=ORTHOPEDICS")
        assert fragment.status_code == 200, section
        assert text in fragment.text, section
        assert "<html" not in fragment.text and "<h1" not in fragment.text
    assert client.get("/dsv/sections/decision").status_code == 404


def test_the_page_loads_sections_with_script_and_links_a_full_page_without(client, launch) -> None:
    launch(veteran(ordinary))
    page = client.get("/dsv?service=ORTHOPEDICS")
    assert page.text.count('data-section-url="/dsv/sections/') == 4
    assert '<script src="/static/dsv.js" defer></script>' in page.text
    assert 'href="/dsv?service=ORTHOPEDICS&amp;inline=1#eligibility"' in page.text
    full = client.get("/dsv?service=ORTHOPEDICS&inline=1")
    for text in ("Each criterion of 38 CFR 17.4010", "VA facilities offering ORTHOPEDICS", "<details>"):
        assert text in full.text
    assert "dsv.js" not in full.text


def test_sections_that_need_a_service_say_so(client, launch) -> None:
    launch(veteran(ordinary))
    fragment = client.get("/dsv/sections/eligibility")
    assert "Choose a clinical service above" in fragment.text
    page = client.get("/dsv?service=BASKET%20WEAVING&inline=1")
    assert page.status_code == 200
    assert "is not a clinical service DST knows" in page.text


def test_the_viewer_shows_no_ssn_and_offers_no_way_to_change_anything(client, launch) -> None:
    v = veteran(ordinary)
    launch(v)
    page = client.get("/dsv?service=ORTHOPEDICS&inline=1")
    assert v.ssn not in page.text and "SSN" not in page.text
    assert 'method="post"' not in page.text.lower()


def test_eligibility_is_the_same_as_on_the_dst_dashboard(client, launch) -> None:
    v = veteran(ordinary)
    record = client.post("/api/v1/dst", json=consult(v, "ORTHOPEDICS"), headers=SERVICE).json()
    dst = client.get(f"/api/v1/dst/{record['dstId']}/eligibility", headers=SERVICE).json()
    launch(v)
    viewer = client.get(f"/ehrm-api/v1/patients/{v.icn}/eligibility?svcName=ORTHOPEDICS").json()
    assert viewer["eligible"] == dst["eligible"]
    assert viewer["standardsVersion"] == dst["standardsVersion"]
    assert [(c["code"], c["status"], c["evidence"]) for c in viewer["criteria"]] == [
        (c["code"], c["status"], c["evidence"]) for c in dst["criteria"]
    ]


def test_every_viewer_read_is_audited(client, launch, database_url) -> None:
    launch(veteran(ordinary))
    client.get("/dsv?service=ORTHOPEDICS")
    for section in ("demographics", "eligibility", "facilities", "seocs"):
        client.get(f"/dsv/sections/{section}?service=ORTHOPEDICS")
    seen = actions(database_url)
    for action in (
        "dsv-view-launch",
        "dsv-view-page",
        "dsv-view-demographics",
        "dsv-view-eligibility",
        "dsv-view-facilities",
        "dsv-view-seocs",
    ):
        assert action in seen, action


def test_a_section_without_a_viewer_session_is_refused(client) -> None:
    fragment = client.get("/dsv/sections/demographics")
    assert fragment.status_code == 401
    assert "Open the viewer from the EHR" in fragment.text


def test_the_eligibility_section_speaks_to_clinicians_and_the_fhir_form_stays_in_the_api(
    client, launch
) -> None:
    v = veteran(ordinary)
    launch(v)
    fragment = client.get("/dsv/sections/eligibility?service=WOMENS%20HEALTH")
    assert fragment.status_code == 200
    assert "FHIR" not in fragment.text and "JSON" not in fragment.text and "/ehrm-api/" not in fragment.text
    assert client.get(f"/ehrm-api/v1/patients/{v.icn}/eligibility/fhir?svcName=WOMENS%20HEALTH").is_success


def test_the_viewer_cookie_carries_neither_icn_nor_edipi(client, launch) -> None:
    import base64

    v = veteran(ordinary)
    assert launch(v).status_code == 200
    cookie = client.cookies["dst_session"]
    readable = cookie + base64.urlsafe_b64decode(cookie + "=" * (-len(cookie) % 4)).decode("latin-1")
    assert v.icn not in readable
    assert v.edipi not in readable
