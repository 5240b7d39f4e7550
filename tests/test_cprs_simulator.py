"""The CPRS/VistA simulator: order → requires-dst → launch → save → sign → the comment VistA files."""

from __future__ import annotations

import re
from typing import Any

from dst.demo.network import demo_patients

from harness import confirm_launch, prod_settings_for, sign_in


def csrf(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found is not None
    return found.group(1)


def ordinary_patient() -> dict[str, Any]:
    return next(p for p in demo_patients() if p["scenario"].startswith("Ordinary"))


def order(client: Any, service: str = "ORTHOPEDICS") -> str:
    sign_in(client)
    token = csrf(client.get("/dev/cprs").text)
    client.post("/dev/cprs/patient", data={"csrf": token, "icn": ordinary_patient()["icn"]})
    page = client.get("/dev/cprs")
    choice = re.search(rf"<option[^>]*>({service}[^<]*)</option>", page.text)
    assert choice is not None, "the station offers no such consult service"
    client.post("/dev/cprs/order", data={"csrf": token, "service": choice.group(1), "urgency": "routine"})
    return token


def launch(client: Any) -> str:
    page = client.get("/dev/cprs")
    assert '<strong id="requires-dst">TRUE</strong>' in page.text
    href = re.search(r'id="launch-dst" href="([^"]+)"', page.text)
    assert href is not None
    confirm = client.get(href.group(1).replace("&amp;", "&"), follow_redirects=False)
    assert confirm.status_code == 200 and "Open DST for this consult" in confirm.text
    opened = confirm_launch(client, confirm)
    assert opened.status_code == 303
    return str(opened.headers["location"]).rsplit("/", 1)[-1]


def save(client: Any, dst_id: str, **fields: str) -> None:
    page = client.get(f"/dst/{dst_id}?static=1").text
    hidden = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', page))
    seoc = re.search(r'<option value="(SEOC[^"]+)"', page)
    assert seoc is not None
    target = re.search(r'id="forwardTo" name="forwardTo" list="cc-services" value="([^"]*)"', page)
    assert target is not None
    body = {**hidden, "veteranOption": "opt-in", "seocId": seoc.group(1), "forward": "yes"}
    saved = client.post(f"/dst/{dst_id}/decision", data={**body, "forwardTo": target.group(1), **fields})
    assert saved.status_code == 200 and "Decision saved" in saved.text


def test_signing_files_the_dst_comment_and_forwards(client) -> None:
    token = order(client)
    dst_id = launch(client)
    save(client, dst_id)
    signed = client.post("/dev/cprs/sign", data={"csrf": token})
    assert signed.status_code == 200
    assert f"<li>DST ID:{dst_id}</li>" in signed.text
    assert "<li>DAF-DST Forwarding: YES</li>" in signed.text
    assert "<li>Consult forwarded by DST</li>" in signed.text
    assert "the consult was forwarded to <strong>COMMUNITY CARE-" in signed.text
    assert f"DST ID:{dst_id}#" in signed.text  # CTB put the snippet in Reason for Request


def test_later_consult_events_file_nothing_more_and_sign_before_save_files_later(client) -> None:
    token = order(client)
    dst_id = launch(client)
    signed = client.post("/dev/cprs/sign", data={"csrf": token})  # signed before the decision is saved
    assert f"<li>DSR-DST record: {dst_id}</li>" in signed.text
    assert "the consult was not forwarded" in signed.text
    save(client, dst_id)
    for _ in range(3):
        page = client.post("/dev/cprs/event", data={"csrf": token})
    assert page.text.count("<li>Consult forwarded by DST</li>") == 1
    assert page.text.count(f"<li>DST ID:{dst_id}</li>") == 1
    assert "on 4 order events of this consult and called DST 2 times" in page.text
    assert "the consult was forwarded to <strong>COMMUNITY CARE-" in page.text


def test_signing_before_dst_was_launched_files_nothing(client) -> None:
    token = order(client)
    signed = client.post("/dev/cprs/sign", data={"csrf": token})
    assert "No comment was filed: the consult carries no DST ID." in signed.text


def test_release_to_hsrm_makes_the_dashboard_read_only(client) -> None:
    token = order(client)
    dst_id = launch(client)
    client.post("/dev/cprs/release-to-hsrm", data={"csrf": token})
    page = client.get(f"/dst/{dst_id}?static=1").text
    assert "Previously sent to HSRM" in page
    assert re.search(r'<button class="usa-button" type="submit" disabled>', page)


def test_simulator_is_not_there_in_production(database_url: str) -> None:
    from fastapi.testclient import TestClient

    from dst.main import create_app

    settings = prod_settings_for(database_url, accept_estimated_drive_times=True)
    with TestClient(create_app(settings)) as prod:
        assert prod.get("/dev/cprs").status_code == 404
        assert prod.post("/dev/cprs/sign", data={"csrf": "x"}).status_code == 404


def test_simulator_orders_count_in_the_dst_use_report(client) -> None:
    """The simulator asks requires-dst as Consult Toolbox does, signed in, so the report counts it."""
    token = order(client)
    dst_id = launch(client)
    save(client, dst_id)
    client.post("/dev/cprs/order", data={"csrf": token, "service": "NOT A DST SERVICE", "urgency": "routine"})
    sign_in(client, "reporting")
    report = client.get("/api/v1/reports/dst-use").json()
    assert (report["totals"]["needed"], report["totals"]["saved"]) == (1, 1)
    assert any("asked about 1 consult(s) whose service does not need DST" in n for n in report["notes"])
