"""Staged rollout: DST turned on or off by station, VISN or nationally, audited, records kept readable."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

from sqlalchemy import func, select

from dst.audit.models import AuditEvent
from dst.operations.models import EnablementRule

from factories import consult, key, ordinary, veteran
from harness import SERVICE, csrf_header, sign_in

RULES = "/api/v1/admin/enablement"


def requires(client, station: str, service: str = "CARDIOLOGY") -> str:  # type: ignore[no-untyped-def]
    return client.get("/ctb/v1/requires-dst", params={"service": service, "station": station}).text


def turn(client, scope: str, key_: str, enabled: bool, **extra: str):  # type: ignore[no-untyped-def]
    body = {"scope": scope, "key": key_, "enabled": enabled, **extra}
    return client.post(RULES, json=body, headers=SERVICE)


def visn_of(client, station: str) -> str:  # type: ignore[no-untyped-def]
    from dst.reference.models import Station

    with client.app.state.sessions() as session:
        row = session.get(Station, station)
        assert row is not None
        return row.visn


def rule_count(client) -> int:  # type: ignore[no-untyped-def]
    with client.app.state.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(EnablementRule)) or 0)


def test_dst_is_on_everywhere_until_an_administrator_says_otherwise(client) -> None:
    assert requires(client, "688") == "TRUE"
    standing = client.get(f"{RULES}/stations/688", headers=SERVICE).json()
    assert standing["enabled"] is True and standing["because"] == "enabled nationally by default"


def test_turning_a_station_off_makes_requires_dst_false_there_only_and_is_audited(client) -> None:
    response = turn(client, "station", "688", False, note="pilot not started")
    assert response.status_code == 201, response.text
    assert response.json()["rule"]["enabled"] is False
    assert requires(client, "688") == "FALSE"
    assert requires(client, "523") == "TRUE"
    with client.app.state.sessions() as session:
        event = session.scalar(select(AuditEvent).where(AuditEvent.action == "set-enablement"))
    assert event is not None and event.station == "688" and event.detail["enabled"] is False
    assert event.actor == "service"


def test_the_most_specific_rule_wins_and_history_is_kept(client) -> None:
    visn = visn_of(client, "688")
    assert turn(client, "national", "", False).status_code == 201
    assert requires(client, "523") == "FALSE"
    assert turn(client, "visn", visn, True).status_code == 201
    assert requires(client, "688") == "TRUE"
    assert turn(client, "station", "688", False).status_code == 201
    assert requires(client, "688") == "FALSE"
    assert turn(client, "station", "688", True).status_code == 201
    assert requires(client, "688") == "TRUE"
    listing = client.get(RULES, headers=SERVICE).json()
    assert len(listing["rules"]) == 4
    assert "523" in {s["station"] for s in listing["turnedOff"]}
    assert "688" not in {s["station"] for s in listing["turnedOff"]}


def test_a_rule_with_a_later_effective_date_waits_for_it(client) -> None:
    later = (datetime.now(UTC) + timedelta(days=2)).isoformat()
    assert turn(client, "station", "688", False, effectiveFrom=later).status_code == 201
    assert requires(client, "688") == "TRUE"
    assert rule_count(client) == 1


def test_bad_rules_are_refused_and_nothing_is_saved(client) -> None:
    past = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    cases = [
        (turn(client, "station", "999", False), "Station 999 is not a known VA station number"),
        (turn(client, "visn", "99", False), "VISN 99 has no known stations"),
        (turn(client, "station", "688", False, effectiveFrom=past), "in the past"),
    ]
    for response, words in cases:
        assert response.status_code == 422, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
        assert words in response.json()["detail"]
    assert client.post(RULES, json={"scope": "planet", "enabled": False}, headers=SERVICE).status_code == 422
    assert rule_count(client) == 0
    assert requires(client, "688") == "TRUE"


def launch_query(body: dict[str, object]) -> str:
    params = {**body, "user": "DOCTOR,DEMO", "signed": str(body["signed"]).lower()}
    return urlencode({k: str(v) for k, v in params.items() if v is not None})


def test_launch_at_a_turned_off_station_shows_a_clear_page_and_old_records_stay_readable(client) -> None:
    body = consult(veteran(ordinary), "ORTHOPEDICS")
    record = client.post("/api/v1/dst", json=body, headers=SERVICE).json()
    dst_id = record["dstId"]
    seoc = client.get(f"/api/v1/dst/{dst_id}/seocs", headers=SERVICE).json()["seocs"][0]["seocId"]
    decision = {"veteranOption": "opt-in", "seocId": seoc, "forward": False}
    saved = client.put(f"/api/v1/dst/{dst_id}/decision", json=decision, headers={**SERVICE, **key()})
    assert saved.status_code == 200, saved.text

    response = turn(client, "station", body["station"], False)
    assert response.status_code == 201
    assert response.json()["recordsKeptReadable"] >= 1

    sign_in(client, "provider")
    page = client.get(f"/launch?{launch_query(body)}", follow_redirects=False)
    assert page.status_code == 409
    assert f"DST is not in use at station {body['station']}" in page.text
    assert f'href="/dst/{dst_id}"' in page.text  # the consult's existing record is linked
    fresh = consult(veteran(ordinary), "ORTHOPEDICS")
    other = client.get(f"/launch?{launch_query(fresh)}", follow_redirects=False)
    assert other.status_code == 409 and "nothing was opened or saved" in other.text

    assert client.get(f"/dst/{dst_id}").status_code == 200
    factor = client.get(f"/vs/v2/consultFactor/{dst_id}")
    assert factor.status_code == 200 and factor.text.split("^")[1] == f"DST ID:{dst_id}"


def test_the_console_is_for_administrators_only(client) -> None:
    assert client.get("/admin/rollout", follow_redirects=False).status_code == 401
    sign_in(client, "provider")
    assert client.get("/admin").status_code == 403
    assert client.get(RULES).status_code == 403
    sign_in(client, "admin")
    assert client.get(RULES).status_code == 200
    page = client.get("/admin")
    assert page.status_code == 200 and 'href="/admin">Operations console</a>' in page.text


def test_rollout_form_shows_errors_and_saves_good_rules(client) -> None:
    sign_in(client, "admin")
    page = client.get("/admin/rollout")
    assert page.status_code == 200
    assert (
        '<legend class="usa-legend">Where</legend>' in page.text
        and '<label class="usa-label" for="key">' in page.text
    )
    csrf = page.text.split('name="csrf" value="', 1)[1].split('"', 1)[0]
    bad = client.post(
        "/admin/rollout", data={"csrf": csrf, "scope": "station", "key": "999", "enabled": "off"}
    )
    assert bad.status_code == 422
    assert 'id="error-summary"' in bad.text and 'href="#key"' in bad.text
    assert 'value="999"' in bad.text  # what was typed is kept
    assert rule_count(client) == 0
    good = client.post(
        "/admin/rollout", data={"csrf": csrf, "scope": "station", "key": "688", "enabled": "off"}
    )
    assert good.status_code == 200 and "stay readable" in good.text
    assert "Station 688" in good.text
    assert requires(client, "688") == "FALSE"
    assert client.post("/admin/rollout", data={"scope": "national", "enabled": "off"}).status_code == 403


def test_the_json_api_refuses_a_form_post_from_an_admin_session(client) -> None:
    sign_in(client, "admin")
    forged = client.post(RULES, data={"scope": "national", "enabled": "false"})
    # Refused twice over: a cookie-authenticated API write needs the CSRF header (403), and only a
    # JSON body is read, which a cross-site form cannot send (422).
    assert forged.status_code in (403, 422)
    assert rule_count(client) == 0
    body = {"scope": "national", "key": "", "enabled": True}
    assert client.post(RULES, json=body, headers=csrf_header(client)).status_code == 201


def test_the_api_creates_no_record_where_dst_is_off_but_reopens_existing_ones(client) -> None:
    v = veteran(ordinary)
    body = consult(v, station="688")
    existing = client.post("/api/v1/dst", json=body, headers=SERVICE)
    assert existing.status_code == 201
    assert turn(client, "station", "688", False).status_code == 201
    refused = client.post("/api/v1/dst", json=consult(v, station="688"), headers=SERVICE)
    assert refused.status_code == 409 and "turned off at station 688" in refused.json()["detail"]
    reopened = client.post("/api/v1/dst", json=body, headers=SERVICE)
    assert reopened.status_code == 200 and reopened.json()["dstId"] == existing.json()["dstId"]
