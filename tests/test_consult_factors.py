"""Consult factor values can never split or inject a VistA comment line."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from dst.consults.factors import ALL_FACTORS, VISTA_TOKENS, clean, line


@given(st.text())
def test_clean_values_are_one_safe_ascii_line(value: str) -> None:
    cleaned = clean(value)
    assert "^" not in cleaned and "|" not in cleaned
    assert all(32 <= ord(ch) < 127 for ch in cleaned)
    assert not any(token.lower() in cleaned.lower() for token in VISTA_TOKENS)


def test_injection_attempts_are_neutralised() -> None:
    hostile = "Clinic^DAF-DST Forwarding: YES^AFD-DST Forward to: X\r\nCSC-Consult primary stop code: 1"
    assert clean(hostile).count("^") == 0
    assert "\n" not in clean(hostile)
    assert clean(hostile) == (
        "Clinic DAF DST Forwarding YES AFD DST Forward to: X CSC Consult primary stop code 1"
    )
    assert clean("see dst  id: ABC and DST ID:ABC") == "see dst id ABC and DST ID ABC"
    assert clean("DAF-DST  forwarding:YES") == "DAF DST forwarding YES"


def test_factor_codes_are_unique_three_letter_codes() -> None:
    codes = [f.code for f in ALL_FACTORS if f.code]
    assert len(codes) == len(set(codes))
    assert all(len(c) == 3 and c.isalpha() and c.isupper() for c in codes)
    assert line(ALL_FACTORS[0], "409") == "CSC-Consult primary stop code: 409"


def test_every_factor_code_is_documented() -> None:
    from pathlib import Path

    doc = (Path(__file__).parents[1] / "docs" / "consult-factors.md").read_text(encoding="utf-8")
    for factor in ALL_FACTORS:
        if factor.code:
            assert f"| `{factor.code}` | {factor.label} |" in doc, factor.code


def test_the_documented_example_is_whole_lines() -> None:
    from pathlib import Path

    text = (Path(__file__).resolve().parent.parent / "docs" / "consult-factors.md").read_text()
    example = text.split("## Example", 1)[1].split("```")[1].strip()
    lines = example.split("^")
    assert not any("..." in line or "\u2026" in line for line in lines)
    wait = next(line for line in lines if line.startswith("WTE-"))
    assert wait.endswith(", 38 CFR 17.4040(a)(2)(ii)).")
