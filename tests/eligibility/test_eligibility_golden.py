"""The engine gives, for thousands of varied inputs, exactly the answers recorded in golden/.

Work on the engine's speed must leave every answer as it was: eligibility, basis, each criterion's
status, evidence, citation and details, warnings, summary, policy and the stored to_dict() form.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import fields

import pytest

from dst.eligibility import EligibilityResult, evaluate

from golden_cases import answer, cases, recorded


@pytest.fixture(scope="module")
def pairs() -> list[tuple[object, dict[str, object]]]:
    found, expected = cases(), recorded()
    assert len(found) == len(expected), "golden_cases.py changed: record the answers again on purpose"
    return list(zip(found, expected, strict=True))


def test_every_answer_is_the_recorded_one(pairs: list[tuple[object, dict[str, object]]]) -> None:
    wrong = []
    for (inp, table), expected in pairs:
        got = answer(inp, table)  # type: ignore[arg-type]
        assert got["input"] == expected["input"], "golden_cases.py generates other inputs now"
        if got != expected:
            wrong.append((expected, got))
    if wrong:
        expected, got = wrong[0]
        diff = "\n".join(
            difflib.unified_diff(
                str(expected["result"]).split(", '"),
                str(got["result"]).split(", '"),
                "recorded",
                "now",
                lineterm="",
            )
        )
        pytest.fail(f"{len(wrong)} of {len(pairs)} answers changed; first: {expected['input']}\n{diff}")


def test_results_survive_the_stored_form(pairs: list[tuple[object, dict[str, object]]]) -> None:
    # The objects themselves, not only to_dict(): from_dict(to_dict()) gives back an equal result.
    for (inp, table), _ in pairs[::7]:
        result = evaluate(inp) if table is None else evaluate(inp, standards=table)  # type: ignore[arg-type]
        text = json.dumps(result.to_dict())
        if "NaN" in text or "Infinity" in text:
            continue  # a bad drive time is echoed in details; NaN never equals itself
        assert EligibilityResult.from_dict(json.loads(text)) == result


def test_no_two_answers_share_a_mutable_part(pairs: list[tuple[object, dict[str, object]]]) -> None:
    # Changing one answer's details (a caller may) must not change another answer.
    for (inp, table), _ in pairs[::11]:
        first, second = (
            evaluate(inp) if table is None else evaluate(inp, standards=table)  # type: ignore[arg-type]
            for _ in range(2)
        )
        seen = {id(part) for part in _mutable_parts(first)}
        assert not [part for part in _mutable_parts(second) if id(part) in seen]


def _mutable_parts(result: EligibilityResult) -> list[object]:
    parts: list[object] = []
    pending: list[object] = [
        getattr(c, f.name) for c in (*result.criteria, *result.policy) for f in fields(c)
    ]
    while pending:
        value = pending.pop()
        if isinstance(value, dict):
            parts.append(value)
            pending.extend(value.values())
        elif isinstance(value, list):
            parts.append(value)
            pending.extend(value)
    return parts
