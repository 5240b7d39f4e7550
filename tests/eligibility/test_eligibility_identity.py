"""A Veteran MVI did not identify: every piece of evidence points at the identity, not E&E or the address."""

from __future__ import annotations

from dst.eligibility import evaluate

from elig_factory import make


def test_an_unidentified_veteran_is_told_to_identify_not_to_fix_the_address() -> None:
    result = evaluate(
        make(vce_codes=None, ee_error="EE-SKIPPED", identity_error="MVI-NOT-FOUND", facilities=None)
    )
    assert result.state == "unknown"
    texts = [
        result.criterion("drive-time").evidence,
        result.criterion("grandfathered").evidence,
        *result.warnings,
    ]
    assert all("MVI-NOT-FOUND" in t for t in texts[:2])
    assert not any("Enrollment System" in t or "address" in t for t in texts)
