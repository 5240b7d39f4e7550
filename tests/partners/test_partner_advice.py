"""Partner problems in plain words: what happened, what to do, and whether Retry can help."""

from __future__ import annotations

import pytest

from dst.partners.advice import RETRYABLE_PARTNERS, advice_for
from dst.partners.errors import FailureKind, Partner, PartnerError

PASSING = {"timeout", "unavailable", "malformed", "fault", "circuit-open", "maintenance"}


@pytest.mark.parametrize("partner", list(Partner))
@pytest.mark.parametrize("kind", list(FailureKind))
def test_every_named_failure_reads_as_plain_words_and_keeps_its_code(
    partner: Partner, kind: FailureKind
) -> None:
    code = PartnerError(partner, kind, "SOAP-ENV:Server Error occurred while processing getEESummary").code
    advice = advice_for(partner.value, code)
    assert advice.code == code and advice.partner == partner.value
    words = f"{advice.happened} {advice.impact} {advice.todo}"
    for engineer in ("SOAP", "did not answer as expected", "getEESummary", partner.value + "-"):
        assert engineer not in words
    assert advice.happened.endswith(".") and advice.todo.endswith(".")
    assert advice.retry == (partner in RETRYABLE_PARTNERS and kind.value in PASSING)


def test_what_to_do_depends_on_what_happened() -> None:
    fault = advice_for("ee", "EE-FAULT")
    assert fault.happened == "Enrollment and Eligibility (E&E) reported an error instead of answering."
    assert "drive times and eligibility stay unknown" in fault.impact
    assert fault.retry and fault.when == "now or in a minute" and fault.name == "E&E"
    matches = advice_for("mvi", "MVI-MULTIPLE-MATCHES")
    assert not matches.retry and "identity management" in matches.todo
    assert "address" in advice_for("ee", "EE-NO-ADDRESS").todo
    assert "Retrying will not help" in advice_for("ppms", "PPMS-REJECTED").todo
    assert advice_for("ee", "EE-MAINTENANCE").when == "after the maintenance window"
    assert "follows from the problem above" in advice_for("ee", "EE-SKIPPED").todo


def test_an_unknown_code_still_gets_a_readable_line() -> None:
    odd = advice_for("mvi", "soap-fault")
    assert odd.happened == "The Master Veteran Index (MVI) did not answer as expected."
    assert odd.code == "soap-fault" and not odd.retry and "Enterprise Service Desk" in odd.todo
