"""Prometheus partner metrics: success, failure, skipped and latency per partner, with no PHI anywhere."""

from __future__ import annotations

import re
from typing import Any

from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families

from dst.demo.model import DemoVeteran

from factories import consult, days_from_today, key, ordinary, veteran
from harness import SERVICE

ICN = re.compile(r"\d{10}V\d{6}")
SSN = re.compile(r"(?<!\d)\d{3}-?\d{2}-?\d{4}(?!\d)")
BIRTH_DATE = re.compile(r"(19|20)\d{2}-?\d{2}-?\d{2}")


def calls(partner: str, outcome: str) -> float:
    value = REGISTRY.get_sample_value("dst_partner_calls_total", {"partner": partner, "outcome": outcome})
    return value or 0.0


def latency_count(partner: str) -> float:
    return REGISTRY.get_sample_value("dst_partner_call_seconds_count", {"partner": partner}) or 0.0


def journey(client: Any, v: DemoVeteran, **overrides: Any) -> None:
    """What a clinician does: open the record, read every panel, save a decision."""
    dst_id = client.post("/api/v1/dst", json=consult(v, "ORTHOPEDICS", **overrides), headers=SERVICE).json()[
        "dstId"
    ]
    for panel in ("patient", "facilities", "community-providers", "eligibility", "seocs"):
        assert client.get(f"/api/v1/dst/{dst_id}/{panel}", headers=SERVICE).status_code == 200
    body = {"veteranOption": "opt-out", "forward": False, "nextAvailableDate": days_from_today(3)}
    saved = client.put(f"/api/v1/dst/{dst_id}/decision", json=body, headers={**SERVICE, **key()})
    assert saved.status_code == 200, saved.text


def test_outcomes_are_counted_per_partner_including_skipped_calls(client: Any) -> None:
    before = {
        "mvi ok": calls("mvi", "success"),
        "mvi fault": calls("mvi", "fault"),
        "ee skipped": calls("ee", "skipped"),
        "ppms skipped": calls("ppms", "skipped"),
        "ppms ok": calls("ppms", "success"),
        "ee latency": latency_count("ee"),
    }
    journey(client, veteran(ordinary))
    # MVI answers with an application error and the record has no ICN: E&E, then PPMS, are not asked.
    journey(client, veteran(lambda v: v.mvi_behaviour == "error"), icn=None)
    assert calls("mvi", "success") > before["mvi ok"]
    assert calls("mvi", "fault") == before["mvi fault"] + 1
    assert calls("ee", "skipped") == before["ee skipped"] + 1
    assert calls("ppms", "skipped") == before["ppms skipped"] + 1
    assert calls("ppms", "success") > before["ppms ok"]
    assert latency_count("ee") > before["ee latency"]
    status = client.get("/health/partners").json()["partners"]
    assert status["ee"]["skipped"] >= 1 and status["mvi"]["failures"].get("fault") == 1


def test_no_phi_in_metrics_after_full_journeys(client: Any) -> None:
    journeys = [
        veteran(ordinary),
        veteran(lambda v: v.mvi_behaviour == "multiple-matches"),
        veteran(lambda v: v.ee_behaviour == "fault"),
        veteran(lambda v: v.address is None),
    ]
    for v in journeys:
        journey(client, v)
    journey(client, veteran(lambda v: v.mvi_behaviour == "not-found"), icn=None)
    response = client.get("/metrics")
    assert response.status_code == 200
    text = response.text
    assert "dst_partner_calls_total" in text and "dst_partner_call_seconds_bucket" in text
    assert not ICN.search(text), "an ICN-shaped string is in /metrics"
    for v in journeys:
        for phi in (v.icn, v.ssn, v.family_name.upper(), v.edipi):
            assert phi not in text.upper()
    labels = [
        value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        for value in sample.labels.values()
    ]
    assert labels, "the scan must see labelled series"
    for value in labels:
        assert not SSN.search(value) and not ICN.search(value) and not BIRTH_DATE.search(value), value
    partner_labels = {
        sample.labels["partner"]
        for family in text_string_to_metric_families(text)
        if family.name.startswith("dst_partner_")
        for sample in family.samples
    }
    assert partner_labels <= {"mvi", "ee", "facilities", "ppms", "seoc", "routing", "cdw"}
