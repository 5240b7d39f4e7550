"""The result is stored with each saved decision, so it must survive a JSON round-trip unchanged."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from dst.eligibility import EligibilityInput, EligibilityResult, evaluate

from elig_factory import FAR_AWAY, FILE_ENTRY, facility, make, vce

SAMPLES: list[EligibilityInput] = [
    make(),
    make(facilities=(FAR_AWAY, facility(None, "vha_x"))),
    make(vce_codes=(vce("X"),)),
    make(vce_codes=None, ee_error="EE-TIMEOUT", facilities=None, facilities_error="PPMS-DOWN"),
    make(
        next_available_date=FILE_ENTRY + timedelta(days=40), bmi_factor="attendant", bmi_explanation="Wife."
    ),
    make(care_category=None, file_entry_date=None),
]


@pytest.mark.parametrize("inp", SAMPLES)
def test_result_round_trips_through_json(inp: EligibilityInput) -> None:
    result = evaluate(inp)
    stored = json.loads(json.dumps(result.to_dict()))
    assert EligibilityResult.from_dict(stored) == result


def test_stored_form_is_plain_json_with_iso_dates() -> None:
    data = evaluate(make(next_available_date=None)).to_dict()
    assert data["wait_time_eligibility_date"] == "2026-12-18"
    assert data["schema"] == 1
    assert data["criteria"][4]["code"] == "drive-time"
    assert json.loads(json.dumps(data, allow_nan=False)) == data
