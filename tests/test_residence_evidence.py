"""A Veteran placed at a ZIP centroid: the page, the API evidence and VistA's consult comment say so."""

from __future__ import annotations

from factories import consult, key, veteran
from harness import SERVICE, sign_in


def _no_geocode(v) -> bool:  # type: ignore[no-untyped-def]
    codes = {c.code for c in v.vce_codes}
    return (
        v.mvi_behaviour == "ok"
        and v.ee_behaviour == "ok"
        and v.geocode is None
        and v.address is not None
        and not codes & {"G", "N", "H", "X"}
    )


def test_a_zip_centroid_residence_is_visible_everywhere_and_decides_no_drive_time(client) -> None:
    created = client.post("/api/v1/dst", json=consult(veteran(_no_geocode), "CARDIOLOGY"), headers=SERVICE)
    assert created.status_code == 201, created.text
    dst_id = created.json()["dstId"]

    patient = client.get(f"/api/v1/dst/{dst_id}/patient", headers=SERVICE).json()
    assert patient["location"]["kind"] == "zip-centroid"
    assert "centre of its ZIP code" in patient["residenceWarning"]

    eligibility = client.get(f"/api/v1/dst/{dst_id}/eligibility", headers=SERVICE).json()
    drive = next(c for c in eligibility["criteria"] if c["code"] == "drive-time")
    assert drive["status"] == "unknown"
    assert drive["details"]["residence_problem"] == "zip-centroid"
    assert "centre of its ZIP code" in drive["evidence"]

    seoc = client.get(f"/api/v1/dst/{dst_id}/seocs", headers=SERVICE).json()["seocs"][0]["seocId"]
    saved = client.put(
        f"/api/v1/dst/{dst_id}/decision",
        json={"veteranOption": "opt-in", "seocId": seoc, "forward": False},
        headers={**SERVICE, **key()},
    )
    assert saved.status_code == 200, saved.text
    text = client.get(f"/vs/v2/consultFactor/{dst_id}", headers=SERVICE).text
    lines = text.split("^")
    assert (
        "RES-Residence used for drive time: ZIP CODE CENTROID - E&E had no geocode; "
        "drive time not decided from it" in lines
    )
    assert next(x for x in lines if x.startswith("DTE-")).startswith(
        "DTE-Drive time: UNKNOWN - E&E has no geocode"
    )

    sign_in(client)
    page = client.get(f"/dst/{dst_id}/panels/patient")
    assert page.status_code == 200
    assert "Check the residence" in page.text and "centre of its ZIP code" in page.text


def test_a_geocoded_veteran_s_comment_names_the_geocode_and_its_date(client) -> None:
    from factories import ordinary

    dst_id = client.post("/api/v1/dst", json=consult(veteran(ordinary)), headers=SERVICE).json()["dstId"]
    seoc = client.get(f"/api/v1/dst/{dst_id}/seocs", headers=SERVICE).json()["seocs"][0]["seocId"]
    body = {"veteranOption": "opt-in", "seocId": seoc, "forward": False}
    assert (
        client.put(f"/api/v1/dst/{dst_id}/decision", json=body, headers={**SERVICE, **key()}).status_code
        == 200
    )
    text = client.get(f"/vs/v2/consultFactor/{dst_id}", headers=SERVICE).text
    assert (
        "^RES-Residence used for drive time: E&E GEOCODE of the residential address (geocoded 2024-03-02)^"
        in text
    )
