"""Evidence is read by clinicians and filed in the consult: no setting names in it."""

from __future__ import annotations

import re

from dst.eligibility import evaluate

from elig_factory import facility, make

DEVELOPER_WORDS = re.compile(r"Bearer|DST_[A-Z_]+|FHIR|JSON|/api/v1")


def test_a_too_close_drive_estimate_asks_for_routing_in_plain_words() -> None:
    result = evaluate(make(facilities=(facility(55.0, source="estimate"),)))
    drive = result.criterion("drive-time")
    assert drive.status == "unknown" and "GIS routing" in drive.evidence
    assert not DEVELOPER_WORDS.search(drive.evidence)
