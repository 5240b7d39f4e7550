"""A broad, fixed set of engine inputs and the answers recorded for them (tests/eligibility/golden/).

The set mixes hand-picked sweeps around the rules' edges (drive times at and around each standard
and its estimate margin, wait dates around each standard's date, every VCE code and its dates,
every residence problem) with seeded random combinations of every input field, so that a change
meant to be internal to the engine can be checked to give exactly the answers it gave before.

Record the answers again only when a change of the rules is intended:

    PYTHONPATH=$PWD/src .venv/bin/python tests/eligibility/golden_cases.py
"""

from __future__ import annotations

import json
import lzma
import random
import sys
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from dst.eligibility import (
    ACCESS_STANDARDS,
    AccessStandard,
    EligibilityInput,
    FacilityOption,
    VceInput,
    evaluate,
)
from dst.reference.catalog import CareCategory

GOLDEN = Path(__file__).parent / "golden" / "results.jsonl.xz"
SEED = 20261203
RANDOM_CASES = 3000

TODAY = date(2026, 11, 26)
START_2019 = date(2019, 6, 6)
AS_OF_DATES = (
    START_2019 - timedelta(days=1),  # before any standard was in effect
    START_2019,
    START_2019 + timedelta(days=1),
    date(2024, 2, 29),
    date(2026, 12, 31),
    TODAY,
)
CATEGORIES: tuple[Any, ...] = (*CareCategory, None, "specialty", "dental")
URGENCIES: tuple[Any, ...] = ("routine", "stat", "STAT", " Stat ", "urgent", "", None)
STATES: tuple[Any, ...] = (None, "", "MA", "ma", " ak ", "HI", "GU", "AS", "MP", "VI", "PR", "DC", "NH", "XX")
MINUTES: tuple[Any, ...] = (
    0,
    12.5,
    20,
    21,
    21.1,
    29.9,
    30,
    30.0,
    30.01,
    38.9,
    39,
    39.5,
    42,
    45.25,
    59,
    60,
    61,
    77.9,
    78,
    79,
    84,
    90,
    150,
    None,
    -3,
    float("nan"),
    float("inf"),
    True,
    "40",
)
SOURCES = ("routing", "estimate", "routing", "ors")
STATUSES: tuple[Any, ...] = (None, None, "NORMAL", "NOTICE", "LIMITED", " limited ", "CLOSED", "closed", 7)
BMI_FACTORS: tuple[Any, ...] = (None, "", "  ", "attendant", " distance ", "timeliness", "bogus")
EXPLANATIONS: tuple[Any, ...] = (None, "", "   ", "Needs spouse to drive.", "x" * 200, "y" * 201)


def _vce_options(on: date) -> tuple[tuple[VceInput, ...] | None, ...]:
    day = timedelta(days=1)
    return (
        None,
        (),
        (VceInput("B", START_2019),),
        (VceInput("G", START_2019), VceInput("B", START_2019)),
        (VceInput("N", date(2020, 1, 1)),),
        (VceInput("H", None),),
        (VceInput("h", START_2019, "Hardship"),),
        (VceInput(" n ", None), VceInput("N", date(2021, 3, 3)), VceInput("N", date(2020, 2, 2))),
        (VceInput("X", date(2020, 1, 1)),),
        (VceInput("X", None), VceInput("G", START_2019)),
        (VceInput("X", on + day), VceInput("B", START_2019)),
        (VceInput("ND", START_2019),),
        (VceInput("QQ", START_2019), VceInput("QQ", START_2019), VceInput("ZZ", None)),
        (VceInput("M", START_2019), VceInput("WT", START_2019), VceInput("U", START_2019)),
        (VceInput("", START_2019), VceInput("G", on + day)),
        (VceInput("G", START_2019, end_date=on - day), VceInput("N", START_2019, end_date=on)),
        (VceInput("H", START_2019, end_date=on - day), VceInput("B", on)),
        (VceInput("G", on), VceInput("ND", None), VceInput("N", START_2019)),
    )


def _facility(rng: random.Random, index: int) -> FacilityOption:
    return FacilityOption(
        rng.choice((f"vha_{index}", f"vha_{index % 2}", "vha_523")),
        rng.choice((f"Facility {index}", "Boston VA Medical Center", "Clinic")),
        rng.choice(MINUTES),
        rng.choice(SOURCES),
        rng.random() > 0.15,
        rng.choice(STATUSES),
    )


def _moment(rng: random.Random) -> datetime | None:
    return rng.choice(
        (None, datetime(2025, 1, 1, 8), datetime(2026, 6, 1, 12), datetime(2026, 6, 1, 12, tzinfo=UTC))
    )


def _optional_date(rng: random.Random, around: date, spread: int) -> date | None:
    if rng.random() < 0.3:
        return None
    return around + timedelta(days=rng.randint(-spread, spread))


def random_input(rng: random.Random) -> EligibilityInput:
    as_of = rng.choice(AS_OF_DATES)
    entry = (
        None
        if rng.random() < 0.1
        else as_of - timedelta(days=rng.choice((0, 1, 3, 10, 19, 20, 27, 28, 40, -1)))
    )
    anchor = entry or as_of
    facilities: tuple[FacilityOption, ...] | None = None
    if rng.random() > 0.12:
        facilities = tuple(_facility(rng, i) for i in range(rng.choice((0, 1, 2, 3, 5, 7))))
    return EligibilityInput(
        as_of=as_of,
        vce_codes=rng.choice(_vce_options(as_of)),
        ee_error=rng.choice((None, "EE-TIMEOUT")),
        residence_state=rng.choice(STATES),
        residence_source=rng.choice((None, None, "ee-geocode", "zip-centroid", "census")),
        geocode_date=_moment(rng),
        address_change_date=_moment(rng),
        care_category=rng.choice(CATEGORIES),
        urgency=rng.choice(URGENCIES),
        facilities=facilities,
        facilities_error=rng.choice((None, "PPMS-DOWN")),
        file_entry_date=entry,
        clinically_indicated_date=_optional_date(rng, anchor, 35),
        veteran_agreed_later_date=_optional_date(rng, anchor, 35) if rng.random() < 0.5 else None,
        next_available_date=_optional_date(rng, anchor, 40),
        bmi_factor=rng.choice(BMI_FACTORS),
        bmi_explanation=rng.choice(EXPLANATIONS),
        service_offered_by_va=rng.choice((None, None, True, False)),
        service_designation=rng.choice((None, "VHA Directive 1234")),
        quality_standards_not_met=rng.random() < 0.2,
        quality_designation=rng.choice((None, "Quality review 2026-04")),
        consult_signed=rng.random() < 0.3,
        clinical_service=rng.choice((None, "CARDIOLOGY", "PRIMARY CARE")),
    )


def _base() -> EligibilityInput:
    return EligibilityInput(
        as_of=TODAY,
        vce_codes=(VceInput("B", START_2019),),
        residence_state="MA",
        care_category=CareCategory.SPECIALTY,
        facilities=(FacilityOption("vha_523", "Boston VA Medical Center", 42.0, "routing"),),
        file_entry_date=TODAY - timedelta(days=3),
        next_available_date=TODAY + timedelta(days=12),
        clinical_service="CARDIOLOGY",
    )


def _drive_sweep() -> Iterator[EligibilityInput]:
    base = _base()
    for category in CareCategory:
        for urgency in ("routine", "stat"):
            for minutes in MINUTES:
                for source in ("routing", "estimate"):
                    near = FacilityOption("vha_1", "Near", minutes, source)
                    far = FacilityOption("vha_2", "Far", 95.5, "routing")
                    yield replace(base, care_category=category, urgency=urgency, facilities=(far, near))


def _wait_sweep() -> Iterator[EligibilityInput]:
    base = _base()
    entry = TODAY - timedelta(days=5)
    for category in (CareCategory.PRIMARY_CARE, CareCategory.SPECIALTY):
        days = 20 if category is CareCategory.PRIMARY_CARE else 28
        standard_day = entry + timedelta(days=days)
        for urgency in ("routine", "stat"):
            for shift in range(-2, 3):
                for cid_shift in (None, -1, 0, 1, 3):
                    for agreed_shift in (None, 0, 2):
                        yield replace(
                            base,
                            care_category=category,
                            urgency=urgency,
                            file_entry_date=entry,
                            next_available_date=standard_day + timedelta(days=shift),
                            clinically_indicated_date=None
                            if cid_shift is None
                            else standard_day + timedelta(days=cid_shift),
                            veteran_agreed_later_date=None
                            if agreed_shift is None
                            else standard_day + timedelta(days=agreed_shift),
                        )
    for available in (entry - timedelta(days=1), entry, entry + timedelta(days=1), entry + timedelta(days=2)):
        yield replace(base, urgency="stat", file_entry_date=entry, next_available_date=available)
    for start in (None, TODAY, TODAY + timedelta(days=1)):
        yield replace(base, file_entry_date=start)


def _code_sweep() -> Iterator[EligibilityInput]:
    base = _base()
    for on in AS_OF_DATES:
        for codes in _vce_options(on):
            for state in (None, "MA", "AK", "GU", "ZZ"):
                yield replace(base, as_of=on, vce_codes=codes, residence_state=state, ee_error="EE-500")


def _residence_sweep() -> Iterator[EligibilityInput]:
    base = _base()
    moments = (
        None,
        datetime(2025, 1, 1, 8),
        datetime(2026, 6, 1, 12),
        datetime(2026, 6, 1, 12, tzinfo=UTC),
        datetime(2026, 6, 1, 13, tzinfo=UTC),
    )
    for source in (None, "ee-geocode", "zip-centroid", "census"):
        for geocoded in moments:
            for changed in moments:
                yield replace(
                    base, residence_source=source, geocode_date=geocoded, address_change_date=changed
                )
    yield replace(base, residence_source="zip-centroid", facilities=())


def _odd_inputs() -> Iterator[EligibilityInput]:
    """Inputs that break the engine's expectations: its last guard answers them."""
    base = _base()
    yield replace(base, as_of="2026-11-26")  # type: ignore[arg-type]
    yield replace(base, vce_codes=(VceInput("G", "2019-06-06"),))  # type: ignore[arg-type]
    yield replace(base, facilities=(None,))  # type: ignore[arg-type]
    yield replace(base, file_entry_date="2026-11-20")  # type: ignore[arg-type]
    yield replace(base, vce_codes=(VceInput(None, START_2019),))  # type: ignore[arg-type]


def _tables() -> tuple[tuple[AccessStandard, ...], ...]:
    later = tuple(
        replace(
            row, version="test/2026-01-01", effective_from=date(2026, 1, 1), drive_minutes=45, wait_days=14
        )
        for row in ACCESS_STANDARDS
    )
    return ((), later, (*ACCESS_STANDARDS, *later), ACCESS_STANDARDS[:2])


def cases() -> list[tuple[EligibilityInput, tuple[AccessStandard, ...] | None]]:
    """Every input with the standards table it is evaluated against (None: the default table)."""
    rng = random.Random(SEED)
    found: list[tuple[EligibilityInput, tuple[AccessStandard, ...] | None]] = []
    for sweep in (_drive_sweep, _wait_sweep, _code_sweep, _residence_sweep, _odd_inputs):
        found.extend((inp, None) for inp in sweep())
    found.extend((random_input(rng), None) for _ in range(RANDOM_CASES))
    for table in _tables():
        for inp in (_base(), replace(_base(), as_of=date(2025, 12, 31)), replace(_base(), urgency="stat")):
            found.append((inp, table))
        found.extend((random_input(rng), table) for _ in range(40))
    return found


def answer(inp: EligibilityInput, table: tuple[AccessStandard, ...] | None) -> dict[str, Any]:
    """The recorded form of one answer: the input's repr and the result's to_dict() as repr text."""
    result = evaluate(inp) if table is None else evaluate(inp, standards=table)
    # repr keeps what JSON would blur: int against float, tuple against list, key order.
    return {
        "input": repr(inp),
        "table": None if table is None else len(table),
        "result": repr(result.to_dict()),
    }


def record() -> None:
    GOLDEN.parent.mkdir(exist_ok=True)
    lines = [json.dumps(answer(inp, table)) for inp, table in cases()]
    # xz keeps no timestamp: the same answers give the same file, byte for byte.
    with lzma.open(GOLDEN, "wt", encoding="utf-8", preset=9 | lzma.PRESET_EXTREME) as out:
        out.write("\n".join(lines) + "\n")
    print(f"recorded {len(lines)} answers in {GOLDEN}")


def recorded() -> list[dict[str, Any]]:
    with lzma.open(GOLDEN, "rt", encoding="utf-8") as found:
        return [json.loads(line) for line in found]


if __name__ == "__main__":
    sys.exit(record())
