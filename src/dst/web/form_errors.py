"""The decision form's errors in plain words, each tied to the field it is about.

A refused save comes back as the page (422) with a linked error summary at the top of the form and
each message inside its field's group (the design system's pattern). Pydantic's locations and the
domain errors' `field` both name the API's camelCase field; this table turns them into the form
control to link to and, for the validator's own wording, the sentence a person reads instead.
"""

from __future__ import annotations

import re
from typing import Any, NamedTuple

from pydantic import ValidationError

from dst.errors import DstProblem
from dst.web.dates import dates_in_words


class FormField(NamedTuple):
    target: str  # the id of the control the summary links to (the first radio of a group)
    group: str  # the form group whose message it is
    plain: str  # what a person reads when the validator refused the value


FIELDS: dict[str, FormField] = {
    "veteranOption": FormField(
        "opt-tbd", "veteranOption", "Choose the Veteran's community care option: TBD, opt in or opt out."
    ),
    "seocId": FormField("seocId", "seocId", "Choose a Standardized Episode of Care from the list."),
    "forward": FormField(
        "fwd-yes", "forward", "Choose whether VistA forwards the consult to community care."
    ),
    "forwardTo": FormField(
        "forwardTo",
        "forwardTo",
        "Choose the community care consult service to forward to from the list (up to 80 characters).",
    ),
    "bmi": FormField(
        "bmiFactor", "bmiFactor", "Choose a best medical interest factor and explain it, or leave both empty."
    ),
    "bmi.factor": FormField(
        "bmiFactor", "bmiFactor", "Choose the best medical interest factor from the list."
    ),
    "bmi.explanation": FormField(
        "bmiExplanation",
        "bmiExplanation",
        "Explain why community care is in the Veteran's best medical interest, in up to 200 characters.",
    ),
    "nextAvailableDate": FormField(
        "nextAvailableDate",
        "nextAvailableDate",
        "Enter the next available VA appointment as a full date, for example December 30, 2026.",
    ),
    "veteranAgreedLaterDate": FormField(
        "veteranAgreedLaterDate",
        "veteranAgreedLaterDate",
        "Enter the later date the Veteran agreed to as a full date, for example December 30, 2026.",
    ),
}
# Refusals about the page itself rather than one field: said once, in the summary, without a link.
PAGE_MESSAGES = {
    "baseVersion": "This page is out of date. Reload the record and save again.",
}
GENERAL = "Check the decision and save again."
# The API's field names inside a domain refusal's sentence, in the words the form's labels use.
WORDS = {
    "nextAvailableDate": "The next available VA appointment",
    "veteranAgreedLaterDate": "The later date the Veteran agreed to",
    "forwardTo": "The forwarding target",
}


def from_validation(exc: ValidationError) -> list[dict[str, Any]]:
    """One plain message per field the validator refused (the first refusal of each field)."""
    errors: list[dict[str, Any]] = []
    seen: set[str] = set()
    for error in exc.errors():
        name = ".".join(str(p) for p in error.get("loc", ()))
        if name in seen:
            continue
        seen.add(name)
        known = FIELDS.get(name)
        message = known.plain if known else PAGE_MESSAGES.get(name, GENERAL)
        errors.append(_error(known, message))
    return errors


def from_problem(exc: DstProblem) -> list[dict[str, Any]]:
    """A domain refusal's own sentence, placed at its field when it names one the form has."""
    detail = exc.detail
    for name, words in WORDS.items():
        detail = re.sub(rf"^{name}\b", words, detail)
        detail = re.sub(rf"\b{name}\b", words[:1].lower() + words[1:], detail)
    return [_error(FIELDS.get(exc.field or ""), dates_in_words(detail))]


def _error(known: FormField | None, message: str) -> dict[str, Any]:
    return {
        "target": known.target if known else None,
        "group": known.group if known else None,
        "message": message,
    }


def by_group(errors: list[dict[str, Any]]) -> dict[str, str]:
    """The message each form group shows inside itself (several refusals of one group are joined)."""
    groups: dict[str, str] = {}
    for error in errors:
        if error["group"]:
            groups[error["group"]] = " ".join(filter(None, (groups.get(error["group"]), error["message"])))
    return groups
