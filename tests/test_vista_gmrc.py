"""VistA's GMRC side against a running DST: launch → save → sign → the comment VistA files."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from dst.demo.gmrc import ATTEMPTS, Consult, Gmrc

from factories import consult, key, ordinary, veteran
from harness import SERVICE, hidden_fields
from live_server import serve


@pytest.fixture
def dst_url(app) -> Iterator[str]:  # type: ignore[no-untyped-def]
    with serve(app) as url:
        yield url


def api(dst_url: str, method: str, path: str, **kwargs: Any) -> httpx.Response:
    headers = {**SERVICE, **kwargs.pop("headers", {})}
    return httpx.request(method, f"{dst_url}{path}", headers=headers, timeout=30, **kwargs)


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
    assert comment[0] == f"DST ID:{dst_id}"
    assert "CSC-Consult primary stop code: 409" in comment
    assert "DAF-DST Forwarding: YES" in comment
    assert "AFD-DST Forward to: COMMUNITY CARE-ORTHOPEDICS" in comment
    assert "VCO-Veteran community care option: OPT-IN" in comment
    assert comment[-1] == "Consult forwarded by DST"
    assert all(": " in line or line.startswith("DST ID:") for line in comment[:-1])


def test_duplicate_guard_files_nothing_twice(dst_url: str) -> None:
    dst_id = decide(dst_url)
    order = Consult(reason_for_request=snippet(dst_url, dst_id))
    vista = gmrc(dst_url, {"COMMUNITY CARE-ORTHOPEDICS"})
    vista.on_signature(order)
    calls = vista.calls
    vista.on_signature(order)
    assert len(order.comments) == 1 and vista.calls == calls


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
    assert by_field.comments[0][0] == by_responses.comments[0][0] == f"DST ID:{dst_id}"


def test_record_without_a_decision_still_identifies_itself(dst_url: str) -> None:
    record = api(dst_url, "POST", "/api/v1/dst", json=consult(veteran(ordinary), "CARDIOLOGY")).json()
    raw = httpx.get(f"{dst_url}/vs/v2/consultFactor/{record['dstId']}")
    assert raw.status_code == 200
    lines = raw.text.split("^")
    assert lines[:2] == [f"DST ID:{record['dstId']}", "CSC-Consult primary stop code: 303"]
    assert (
        "DSS-DST decision status: NOT SAVED - DST was opened for this consult but no decision was saved"
        in lines
    )
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
    assert order.comments == [["DVE-DST Error from VistA: 404 Not Found"]]


def test_unsigned_consult_and_missing_id_do_nothing(dst_url: str) -> None:
    vista = gmrc(dst_url, set())
    unsigned = Consult(reason_for_request="DST ID:ABC#", signed=False)
    no_id = Consult(reason_for_request="Plain consult with no DST")
    vista.on_signature(unsigned)
    vista.on_signature(no_id)
    assert vista.calls == 0 and unsigned.comments == no_id.comments == []


def test_consult_factor_answer_is_idempotent_plain_text(dst_url: str) -> None:
    dst_id = decide(dst_url)
    first = httpx.get(f"{dst_url}/vs/v2/consultFactor/{dst_id}")
    second = httpx.get(f"{dst_url}/vs/v2/consultFactor/{dst_id}")
    assert first.headers["content-type"].startswith("text/plain")
    assert first.text == second.text
    assert "\n" not in first.text and "\r" not in first.text
    lines = first.text.split("^")
    assert lines[0] == f"DST ID:{dst_id}" and lines[1].startswith("CSC-Consult primary stop code: ")
    for line in lines[1:]:
        code, _, rest = line.partition("-")
        assert len(code) == 3 and code.isupper() and ": " in rest, line


def test_launch_save_on_the_page_then_vista_files_and_forwards(dst_url: str) -> None:
    """The whole journey a clinician makes: CTB launch, the page's form, then VistA on signature."""
    import re
    from urllib.parse import urlencode

    v = veteran(ordinary)
    context = consult(v, "PODIATRY") | {"user": "DOCTOR,DEMO", "signed": "false"}
    with httpx.Client(base_url=dst_url, follow_redirects=True, timeout=30) as browser:
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
    assert comment[0] == f"DST ID:{dst_id}" and "CSC-Consult primary stop code: 411" in comment
    assert (
        "AFD-DST Forward to: COMMUNITY CARE-PODIATRY" in comment and comment[-1] == "Consult forwarded by DST"
    )
    assert any(line.startswith("DBY-DST decision by: Demo Provider") for line in comment)
