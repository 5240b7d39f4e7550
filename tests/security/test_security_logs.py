"""No PHI in logs: the full journeys run with every logger at DEBUG, and the output is searched."""

from __future__ import annotations

import logging
import re
import threading
from urllib.parse import urlencode

import httpx2
import pytest

from dst.demo.model import DemoVeteran
from dst.dsv.fake_ehr import ehr_patient_id

from factories import consult, key, ordinary, veteran
from harness import SERVICE, csrf_header, launch, sign_in


def phi_patterns(v: DemoVeteran) -> dict[str, re.Pattern[str]]:
    born = v.birth_date
    patterns = {
        # The id the development EHR knows the Veteran by: the viewer reads `Patient/{id}` with it.
        "ehr patient id": re.escape(ehr_patient_id(v)),
        "name": rf"{v.given_name}\s+{v.family_name}|{v.family_name},\s*{v.given_name}",
        "icn": re.escape(v.icn),
        "icn without checksum": rf"\b{re.escape(v.icn.split('V')[0])}\b",
        "ssn": rf"{v.ssn[:3]}-?{v.ssn[3:5]}-?{v.ssn[5:]}",
        "dfn": rf"(?<![\w.-]){re.escape(v.dfn)}(?![\w.-])",
        "birth date": rf"{born.isoformat()}|{born:%Y%m%d}|{born:%m/%d/%Y}",
    }
    if v.address is not None:
        patterns["address"] = re.escape(v.address.line1)
    return {name: re.compile(p, re.IGNORECASE) for name, p in patterns.items()}


def run_journeys(client, v: DemoVeteran) -> None:  # type: ignore[no-untyped-def]
    sign_in(client, "provider")
    params = {**consult(v), "signed": "false", "user": "vhaprov1"}
    opened = launch(client, urlencode(params))
    assert opened.status_code == 303, opened.text
    dst_id = opened.headers["location"].rsplit("/", 1)[-1]
    page = client.get(f"/dst/{dst_id}")
    assert page.status_code == 200
    for panel in ("", "/patient", "/facilities", "/community-providers", "/eligibility", "/seocs"):
        assert client.get(f"/api/v1/dst/{dst_id}{panel}", headers=SERVICE).status_code == 200
    seoc = client.get(f"/api/v1/dst/{dst_id}/seocs", headers=SERVICE).json()["seocs"][0]["seocId"]
    form = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', page.text))
    saved = client.post(
        f"/dst/{dst_id}/decision", data={**form, "veteranOption": "opt-in", "seocId": seoc, "forward": "no"}
    )
    assert saved.status_code == 200
    body = {"veteranOption": "opt-out", "seocId": seoc, "forward": False}
    api_save = client.put(
        f"/api/v1/dst/{dst_id}/decision", json=body, headers={**key(), **csrf_header(client)}
    )
    assert api_save.status_code == 200
    assert client.get(f"/vs/v2/consultFactor/{dst_id}").status_code == 200
    # Refusals and bad input log too: they must not carry the Veteran either.
    assert client.get("/launch?" + urlencode({**params, "station": "9x9"})).status_code == 422
    assert client.put(f"/api/v1/dst/{dst_id}/decision", json=body, headers=key()).status_code == 403
    sign_in(client, "reporting")
    assert client.get(f"/api/v1/dst/{dst_id}/patient").status_code == 403
    # The viewer's SMART launch from the development EHR: discovery, token and the FHIR Patient read.
    viewer = client.get(f"/dev/ehr/launch?patient={ehr_patient_id(v)}&outcome=ok", follow_redirects=True)
    assert viewer.status_code == 200 and "This viewer is read-only" in viewer.text
    assert client.get("/dsv/sections/demographics").status_code == 200


def from_the_test_client(record: logging.LogRecord, test_thread: int) -> bool:
    """The test's own HTTP client logs the URLs it calls (the launch carries ICN and DFN by contract):
    that is the browser's side, not DST's log. It logs on the test's thread; the app, and every
    request DST itself makes with the same client family, runs on the test client's event loop thread."""
    return record.name == "httpx2" and record.thread == test_thread


def test_the_full_journeys_log_no_phi(client, caplog: pytest.LogCaptureFixture) -> None:
    v = veteran(ordinary)
    caplog.set_level(logging.DEBUG)
    # `dst` commands run by other tests quieten httpx2 process-wide; this scan wants everything.
    caplog.set_level(logging.DEBUG, logger="httpx2")
    run_journeys(client, v)
    test_thread = threading.get_ident()
    records = [r for r in caplog.records if not from_the_test_client(r, test_thread)]
    output = "\n".join(f"{r.name} {r.levelname} {r.getMessage()} {r.exc_text or ''}" for r in records)
    assert any(r.name == "httpx2" for r in records), "the partner calls' log lines should be in the capture"
    leaks = {name: p.search(output).group(0) for name, p in phi_patterns(v).items() if p.search(output)}
    offenders = sorted(
        {r.name for r in records for p in phi_patterns(v).values() if p.search(r.getMessage())}
    )
    assert leaks == {}, f"PHI in the log output from {offenders}"


def test_the_scan_finds_phi_when_it_is_there(caplog: pytest.LogCaptureFixture) -> None:
    v = veteran(ordinary)
    caplog.set_level(logging.DEBUG)
    logging.getLogger("dst.example").debug("patient %s %s born %s", v.given_name, v.family_name, v.birth_date)
    output = "\n".join(r.getMessage() for r in caplog.records)
    found = {name for name, p in phi_patterns(v).items() if p.search(output)}
    assert found == {"name", "birth date"}


def test_dst_commands_quiet_the_http_client_and_keep_its_urls_out(monkeypatch: pytest.MonkeyPatch) -> None:
    from dst import logs

    for name in logs.QUIET:
        logger = logging.getLogger(name)
        monkeypatch.setattr(logger, "level", logger.level)
    logs.configure()
    http = logging.getLogger("httpx2")
    assert http.getEffectiveLevel() == logging.WARNING
    assert sum(isinstance(f, logs.OriginsOnly) for f in http.filters) == 1
    record = http.makeRecord(
        "httpx2",
        logging.WARNING,
        __file__,
        1,
        "GET %s",
        (httpx2.URL("https://ehr.example:8443/fhir/Patient/99a30d1236192c84?_format=json"),),
        None,
    )
    assert http.filter(record)
    assert record.getMessage() == "GET https://ehr.example:8443/…"
