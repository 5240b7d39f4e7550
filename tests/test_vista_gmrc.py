"""VistA's GMRC side against a running DST: launch → save → sign → the comment VistA files."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx2
import pytest

from dst.demo.gmrc import ATTEMPTS, Consult, Gmrc

from factories import consult, key, ordinary, veteran
from harness import SERVICE, hidden_fields
from live_server import serve


@pytest.fixture
def dst_url(app) -> Iterator[str]:  # type: ignore[no-untyped-def]
    with serve(app) as url:
        yield url


def api(dst_url: str, method: str, path: str, **kwargs: Any) -> httpx2.Response:
    headers = {**SERVICE, **kwargs.pop("headers", {})}
    return httpx2.request(method, f"{dst_url}{path}", headers=headers, timeout=30, **kwargs)


def decide(dst_url: str, service: str = "ORTHOPEDICS", **decision: Any) -> str:
    record = api(dst_url, "POST", "/api/v1/dst", json=consult(veteran(ordinary), service)).json()
    dst_id = record["dstId"]
    seoc = api(dst_url, "GET", f"/api/v1/dst/{dst_id}/seocs").json()["seocs"][0]["seocId"]
    body = {"veteranOption": "opt-in", "seocId": seoc, "forward": True, **decision}
    saved = api(dst_url, "PUT", f"/api/v1/dst/{dst_id}/decision", json=body, headers=key())
    assert saved.status_code == 200, saved.text
    return dst_id


def gmrc(dst_url: str, services: set[str]) -> Gmrc:
    return Gmrc(dst_url, services, sleep=lambda _s: None)


def snippet(dst_url: str, dst_id: str) -> str:
    return api(dst_url, "GET", f"/api/v1/dst/{dst_id}/consult-text").text


def test_signed_consult_gets_the_comment_and_is_auto_forwarded(dst_url: str) -> None:
    dst_id = decide(dst_url)
    order = Consult(reason_for_request=f"Knee pain, evaluate for surgery. {snippet(dst_url, dst_id)}")
    vista = gmrc(dst_url, {"ORTHOPEDICS OUTPT", "COMMUNITY CARE-ORTHOPEDICS"})
    vista.on_signature(order)
    assert order.forwarded_to == "COMMUNITY CARE-ORTHOPEDICS"
    (comment,) = order.comments
    assert comment[:2] == ["CSC-Consult primary stop code: 409", f"DST ID:{dst_id}"]
    assert "DAF-DST Forwarding: YES" in comment
    assert "AFD-DST Forward to: COMMUNITY CARE-ORTHOPEDICS" in comment
    assert "VCO-Veteran community care option: OPT-IN" in comment
    assert comment[-1] == "Consult forwarded by DST"
    assert all(": " in line or line.startswith("DST ID:") for line in comment[:-1])


def test_later_events_on_the_consult_file_and_forward_nothing_again(dst_url: str) -> None:
    """GMRCDST runs on every order event (signature, the forward itself, receipt, scheduling...)."""
    dst_id = decide(dst_url)
    order = Consult(reason_for_request=snippet(dst_url, dst_id))
    vista = gmrc(dst_url, {"COMMUNITY CARE-ORTHOPEDICS"})
    vista.on_event(order)
    calls = vista.calls
    order.comments.append(["Received by COMMUNITY CARE-ORTHOPEDICS"])
    vista.on_event(order)  # the event of the auto-forward
    vista.on_event(order)  # the consult is received, then scheduled
    vista.on_event(order)
    assert vista.calls == calls == 1
    assert order.forwards == 1 and len(order.comments) == 2


def test_the_guard_reads_lines_in_order_as_dupid_does() -> None:
    """The ID line stops the scan; only a CSC line before it makes the comment count as loaded."""
    from dst.demo.gmrc import already_loaded

    csc = "CSC-Consult primary stop code: 409"
    assert already_loaded(Consult(comments=[[csc, "DST ID:ABC"]]), "ABC")
    assert already_loaded(Consult(comments=[[csc], ["DST ID:ABC"]]), "ABC")
    assert not already_loaded(Consult(comments=[["DST ID:ABC", csc]]), "ABC")
    assert not already_loaded(Consult(comments=[["DST ID:ABC"], [csc, "DST ID:ABC"]]), "ABC")
    assert not already_loaded(Consult(comments=[[csc, "DST ID:OTHER"]]), "ABC")


def test_the_order_dst_sent_before_would_be_refiled_and_reforwarded_on_every_event() -> None:
    """What VistA did with the `DST ID:` line first: the simulator shows the fault DST no longer has."""
    from dst.demo.gmrc import already_loaded

    old_order = ["DST ID:ABC", "CSC-Consult primary stop code: 409", "DAF-DST Forwarding: YES"]
    assert not already_loaded(Consult(comments=[old_order]), "ABC")


def test_signed_before_the_decision_is_saved_files_the_decision_at_a_later_event(dst_url: str) -> None:
    record = api(dst_url, "POST", "/api/v1/dst", json=consult(veteran(ordinary), "ORTHOPEDICS")).json()
    dst_id = record["dstId"]
    order = Consult(reason_for_request=snippet(dst_url, dst_id))
    vista = gmrc(dst_url, {"COMMUNITY CARE-ORTHOPEDICS"})
    vista.on_event(order)  # signed before the clinician saved
    (unsaved,) = order.comments
    assert not any("CSC-Consult primary stop code:" in line or "DST ID:" in line for line in unsaved)
    assert f"DSR-DST record: {dst_id}" in unsaved and order.forwarded_to is None
    vista.on_event(order)  # nothing saved yet: fetched again, the same text filed again
    assert len(order.comments) == 2
    seoc = api(dst_url, "GET", f"/api/v1/dst/{dst_id}/seocs").json()["seocs"][0]["seocId"]
    body = {"veteranOption": "opt-in", "seocId": seoc, "forward": True}
    saved = api(dst_url, "PUT", f"/api/v1/dst/{dst_id}/decision", json=body, headers=key())
    assert saved.status_code == 200, saved.text
    vista.on_event(order)  # the next event files the decision and forwards
    vista.on_event(order)
    vista.on_event(order)
    assert len(order.comments) == 3 and order.forwards == 1
    assert order.comments[2][:2] == ["CSC-Consult primary stop code: 409", f"DST ID:{dst_id}"]
    assert order.forwarded_to == "COMMUNITY CARE-ORTHOPEDICS"


def test_a_token_inserted_twice_is_asked_for_run_together_and_still_answered(dst_url: str) -> None:
    """FINDIDC never resets the ID between lines of Reason for Request."""
    from dst.demo.gmrc import find_dst_id

    dst_id = decide(dst_url)
    token = snippet(dst_url, dst_id)
    order = Consult(reason_for_request=[f"Knee pain. {token}", f"Relaunched. {token}"])
    assert find_dst_id(order) == dst_id + dst_id
    assert find_dst_id(Consult(order_responses=[f"{token}--a", f"{token}--b"])) == dst_id + dst_id
    vista = gmrc(dst_url, {"COMMUNITY CARE-ORTHOPEDICS"})
    vista.on_event(order)
    vista.on_event(order)
    assert vista.calls == 1 and len(order.comments) == 1 and order.forwards == 1
    assert order.comments[0][1] == f"DST ID:{dst_id}{dst_id}"
    other = decide(dst_url)
    two = httpx2.get(f"{dst_url}/vs/v2/consultFactor/{dst_id}{other}")
    assert two.status_code == 404  # two different records run together name neither


def test_free_text_cannot_steer_vistas_forwarding_or_guard(dst_url: str) -> None:
    explanation = "Needs an attendant. AFD-DST Forward to: COMMUNITY CARE-DENTAL"
    record = api(dst_url, "POST", "/api/v1/dst", json=consult(veteran(ordinary), "ORTHOPEDICS")).json()
    dst_id = record["dstId"]
    seoc = api(dst_url, "GET", f"/api/v1/dst/{dst_id}/seocs").json()["seocs"][0]["seocId"]
    body = {
        "veteranOption": "opt-in",
        "seocId": seoc,
        "forward": False,
        "bmi": {"factor": "attendant", "explanation": explanation},
    }
    refused = api(dst_url, "PUT", f"/api/v1/dst/{dst_id}/decision", json=body, headers=key())
    assert refused.status_code == 422 and "AFD-DST Forward to" in refused.text


def test_long_evidence_is_filed_whole() -> None:
    from dst.consults.factors import WTE, line

    evidence = "x" * 500
    assert line(WTE, evidence) == f"WTE-Wait time: {evidence}"


def test_forward_target_missing_at_the_site_is_reported_not_forwarded(dst_url: str) -> None:
    dst_id = decide(dst_url)
    order = Consult(reason_for_request=snippet(dst_url, dst_id))
    gmrc(dst_url, {"COMMUNITY CARE-ORTHO (LOCAL NAME)"}).on_signature(order)
    assert order.forwarded_to is None
    assert order.comments[0][-1] == "DVE-DST Error from VistA: Autoforward target not found"


def test_not_forwarding_files_a_plain_comment(dst_url: str) -> None:
    dst_id = decide(dst_url, forward=False)
    order = Consult(reason_for_request=snippet(dst_url, dst_id))
    gmrc(dst_url, {"COMMUNITY CARE-ORTHOPEDICS"}).on_signature(order)
    assert order.forwarded_to is None
    assert "DAF-DST Forwarding: NO" in order.comments[0]
    assert not any(line.startswith("AFD-") for line in order.comments[0])


def test_dst_id_found_in_field_85_and_in_order_responses(dst_url: str) -> None:
    dst_id = decide(dst_url, forward=False)
    spaced = " ".join(dst_id[i : i + 5] for i in range(0, len(dst_id), 5))
    by_field = Consult(dst_id_field_85=spaced)
    gmrc(dst_url, set()).on_signature(by_field)
    by_responses = Consult(order_responses=[f"Reason: x DST ID:{dst_id}#--more text"])
    gmrc(dst_url, set()).on_signature(by_responses)
    assert by_field.comments[0][1] == by_responses.comments[0][1] == f"DST ID:{dst_id}"


def test_record_without_a_decision_still_identifies_itself(dst_url: str) -> None:
    record = api(dst_url, "POST", "/api/v1/dst", json=consult(veteran(ordinary), "CARDIOLOGY")).json()
    raw = httpx2.get(f"{dst_url}/vs/v2/consultFactor/{record['dstId']}")
    assert raw.status_code == 200
    lines = raw.text.split("^")
    assert lines[0] == f"DSR-DST record: {record['dstId']}"
    assert not any("DST ID:" in line or line.startswith("CSC-") for line in lines)
    assert any(line.startswith("DSS-DST decision status: NOT SAVED - ") for line in lines)
    assert not any(line.startswith(("CCE-", "ELB-", "AFD-")) for line in lines)
    order = Consult(reason_for_request=f"DST ID:{record['dstId']}#")
    gmrc(dst_url, {"COMMUNITY CARE-CARDIOLOGY"}).on_signature(order)
    assert order.forwarded_to is None and "DAF-DST Forwarding: NO" in order.comments[0]


def test_an_empty_answer_gives_vistas_no_content_comment() -> None:
    """VistA's own rule for an empty body, checked against a server that sends one."""
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    class Empty(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Empty)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        order = Consult(reason_for_request="DST ID:ANYTHING#")
        gmrc(f"http://127.0.0.1:{server.server_address[1]}", set()).on_signature(order)
    finally:
        server.shutdown()
        server.server_close()
    assert order.comments == [["DVE-DST ID ISSUE: No Content sent from DST"]]


def test_unknown_id_is_retried_ten_times_then_filed_as_an_error(dst_url: str) -> None:
    order = Consult(reason_for_request="DST ID:NOTAREALDSTID#")
    vista = gmrc(dst_url, set())
    vista.on_signature(order)
    assert vista.calls == ATTEMPTS
    assert order.comments == [["DVE-DST Error from VistA:", "404", "HTTP/1.1 404 Not Found"]]


def test_target_not_found_files_the_forward_line_then_the_error() -> None:
    vista = Gmrc("http://vista.invalid", set())
    order = Consult()
    lines = [
        "CSC-Consult primary stop code: 409",
        "DST ID:A",
        "DAF-DST Forwarding: YES",
        "AFD-DST Forward to: X",
    ]
    vista._forward_or_file(order, lines, len(lines))
    vista._forward_or_file(order, lines[:3], 3)
    assert order.comments[0][-2:] == [
        "Consult forwarded by DST",
        "DVE-DST Error from VistA: Autoforward target not found",
    ]
    assert order.comments[1] == [*lines[:3], "DVE-DST Error from VistA: No Autoforward Target"]
    assert order.forwarded_to is None


def test_unsigned_consult_and_missing_id_do_nothing(dst_url: str) -> None:
    vista = gmrc(dst_url, set())
    unsigned = Consult(reason_for_request="DST ID:ABC#", signed=False)
    no_id = Consult(reason_for_request="Plain consult with no DST")
    vista.on_signature(unsigned)
    vista.on_signature(no_id)
    assert vista.calls == 0 and unsigned.comments == no_id.comments == []


def test_consult_factor_answer_is_idempotent_plain_text(dst_url: str) -> None:
    dst_id = decide(dst_url)
    first = httpx2.get(f"{dst_url}/vs/v2/consultFactor/{dst_id}")
    second = httpx2.get(f"{dst_url}/vs/v2/consultFactor/{dst_id}")
    assert first.headers["content-type"].startswith("text/plain")
    assert first.text == second.text
    assert "\n" not in first.text and "\r" not in first.text
    lines = first.text.split("^")
    assert lines[0].startswith("CSC-Consult primary stop code: ") and lines[1] == f"DST ID:{dst_id}"
    for line in lines[:1] + lines[2:]:
        code, _, rest = line.partition("-")
        assert len(code) == 3 and code.isupper() and ": " in rest, line


def test_launch_save_on_the_page_then_vista_files_and_forwards(dst_url: str) -> None:
    """The whole journey a clinician makes: CTB launch, the page's form, then VistA on signature."""
    import re
    from urllib.parse import urlencode

    v = veteran(ordinary)
    context = consult(v, "PODIATRY") | {"user": "DOCTOR,DEMO", "signed": "false"}
    with httpx2.Client(base_url=dst_url, follow_redirects=True, timeout=30) as browser:
        confirm = browser.get(f"/launch?{urlencode(context)}")  # signs in, then asks to confirm
        assert confirm.status_code == 200 and "Open DST for this consult" in confirm.text
        page = browser.post("/launch", data=hidden_fields(confirm.text))
        assert page.status_code == 200 and "PODIATRY" in page.text
        dst_id = str(page.url).rsplit("/", 1)[-1]
        page = browser.get(f"/dst/{dst_id}?static=1")  # every panel rendered on the server, as without JS
        fields = hidden_fields(page.text)
        seoc = re.search(r'<option value="(SEOC[^"]+)"', page.text)
        assert seoc is not None
        saved = browser.post(
            f"/dst/{dst_id}/decision",
            data={
                **fields,
                "veteranOption": "opt-in",
                "seocId": seoc.group(1),
                "forward": "yes",
                "forwardTo": "COMMUNITY CARE-PODIATRY",
            },
        )
        assert saved.status_code == 200 and f"DST ID:{dst_id}#" in saved.text
    order = Consult(reason_for_request=f"Diabetic foot care. DST ID:{dst_id}#")
    gmrc(dst_url, {"PODIATRY OUTPT", "COMMUNITY CARE-PODIATRY"}).on_signature(order)
    assert order.forwarded_to == "COMMUNITY CARE-PODIATRY"
    comment = order.comments[0]
    assert comment[:2] == ["CSC-Consult primary stop code: 411", f"DST ID:{dst_id}"]
    assert (
        "AFD-DST Forward to: COMMUNITY CARE-PODIATRY" in comment and comment[-1] == "Consult forwarded by DST"
    )
    assert any(line.startswith("DBY-DST decision by: Demo Provider") for line in comment)
