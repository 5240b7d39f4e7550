"""The page-state catalogue: every state of every component on one page, for the accessibility test.

Journeys reach only the states their data happens to produce; a variant no journey shows could fail
users silently (a tag whose colours are unreadable, say). This development-only page renders the real
templates and macros in each state — every tag and badge variant, each panel loading, filled, empty
and with a partner error, every banner and alert, every kind of form error, the record page's summary
in each of its states (`?summary=`) — and
tests/test_browser_catalogue.py runs axe-core over it. Synthetic data only; 404 when DST_ENV=prod.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse

from dst.eligibility import VERDICTS
from dst.eligibility.models import ELIGIBLE, NOT_ELIGIBLE, PENDING_SCHEDULING, UNDETERMINED
from dst.operations.notices import Notice
from dst.web.dashboard import PANEL_TITLES
from dst.web.templating import render

router = APIRouter(include_in_schema=False)

PARTNER_ERROR = {"partner": "ppms", "code": "timeout", "message": "PPMS did not answer within 10 seconds."}
ADDRESS = {"line1": "1 Demo Street", "city": "Washington", "state": "DC", "zip": "20001"}


def _facility(name: str, minutes: float | None, within: bool | None) -> dict[str, Any]:
    return {
        "name": name,
        "city": "Washington",
        "state": "DC",
        "straightLineMiles": 4.2,
        "driveMinutes": minutes,
        "withinDriveStandard": within,
        "driveSource": "routing service" if minutes is not None else None,
        "driveMethod": "estimate from straight-line distance" if within is None else None,
        "vaAverageWaitDays": 12.5 if within else None,
        "ccAverageWaitDays": 9.0 if within is False else None,
    }


def _patient(*, filled: bool, errors: bool = False) -> dict[str, Any]:
    return {
        "errors": [PARTNER_ERROR | {"partner": "ee"}] if errors else [],
        "name": "DEMO,VETERAN" if filled else None,
        "birthDate": "1950-01-01" if filled else None,
        "ssnLast4": "0000" if filled else None,
        "addressAvailable": filled,
        "residentialAddress": ADDRESS,
        "location": {"source": "ZIP centroid"} if filled else None,
        "residenceWarning": "the mailing and residential addresses differ" if filled else None,
        "eligibilityCodes": [{"code": "G", "description": "Grandfathered"}] if filled else None,
    }


def _eligibility(state: str) -> dict[str, Any]:
    eligible = {ELIGIBLE: True, NOT_ELIGIBLE: False}.get(state)
    return {
        "eligible": eligible,
        "state": state,
        "verdict": VERDICTS[state],
        "summary": "one criterion met" if eligible else "",
        "basicIneligible": eligible is False,
        "standardsVersion": "2019-06-06",
        "criteria": [
            {"code": "drive-time", "citation": "38 CFR 17.4010(a)(5)", "status": "met", "evidence": "72 min"},
            {"code": "wait-time", "citation": "38 CFR 17.4010(a)(6)", "status": "not-met", "evidence": "9 d"},
            {"code": "hardship", "citation": "38 CFR 17.4010(a)(3)", "status": "unknown", "evidence": "—"},
        ],
        "policy": [{"status": "unknown", "evidence": "No stat policy on file.", "citation": "VHA Directive"}],
        "waitTimeEligibilityDate": "2026-01-29",
        "warnings": ["The drive time is an estimate."],
        "partnerErrors": ["E&E timeout"],
    }


def catalogue_context() -> dict[str, Any]:
    facilities_filled = {
        "errors": [],
        "note": None,
        "radiusMiles": 60,
        "driveTimeStandardMinutes": 30,
        "waitTimeStandardDays": 20,
        "facilities": [
            _facility("Within-standard Medical Center", 18, True),
            _facility("Outside-standard Clinic", 75, False),
            _facility("Estimated Clinic", 40, None),
            _facility("Unrouted Clinic", None, None),
        ],
    }
    return {
        "panel_titles": PANEL_TITLES,
        "record": {"clinicalService": "CARDIOLOGY", "fileEntryDate": "2026-01-09"},
        "labels": {"drive-time": "Drive time", "wait-time": "Wait time", "hardship": "Hardship"},
        "patients": {
            "filled": _patient(filled=True),
            "empty": _patient(filled=False),
            "partner error": _patient(filled=False, errors=True),
        },
        "facility_states": {
            "filled": facilities_filled,
            "empty": {**facilities_filled, "facilities": []},
            "note": {**facilities_filled, "facilities": [], "note": "Choose the clinical service first."},
            "partner error": {**facilities_filled, "facilities": [], "errors": [PARTNER_ERROR]},
        },
        "provider_states": {
            "filled": {
                "errors": [],
                "note": None,
                "radiusMiles": 40,
                "providers": [
                    {
                        "name": "Demo Cardiology Group",
                        "careSite": "Demo Heart Center",
                        "address": ADDRESS,
                        "distanceMiles": 3.4,
                        "phone": "202-555-0100",
                    }
                ],
            },
            "empty": {"errors": [], "note": None, "radiusMiles": 40, "providers": []},
            "partner error": {"errors": [PARTNER_ERROR], "note": None, "radiusMiles": 40, "providers": []},
        },
        "eligibility_states": {
            "eligible": _eligibility(ELIGIBLE),
            "not eligible": _eligibility(NOT_ELIGIBLE),
            "pending scheduling": _eligibility(PENDING_SCHEDULING),
            "not determined": _eligibility(UNDETERMINED),
        },
        "viewer_problem": {
            "title": "Open the viewer from the EHR",
            "detail": "No viewer session.",
            "todo": "Open it again from the chart.",
        },
        "form_errors": ["Choose the Veteran's option.", "Explain the best medical interest."],
        "field_errors": [{"field": "seoc", "message": "Choose a SEOC."}],
    }


# One page per eligibility verdict: the panel's criteria table is a landmark that may appear only once.
ELIGIBILITY_STATES = {
    "eligible": ELIGIBLE,
    "not-eligible": NOT_ELIGIBLE,
    "pending-scheduling": PENDING_SCHEDULING,
    "not-determined": UNDETERMINED,
}


def _failure(partner: str, kind: str) -> dict[str, str]:
    code = f"{partner}-{kind}".upper()
    return {"partner": partner, "code": code, "message": f"{code} (synthetic)"}


# The record page's summary, one state a page (its region and ids appear once): (eligibility state, problems,
# extra context). Each partner that can fail on a record's page fails in one of them.
SUMMARY_STATES: dict[str, tuple[str, tuple[dict[str, str], ...], dict[str, Any]]] = {
    "loading": (UNDETERMINED, (), {"live": True}),
    "eligible": (ELIGIBLE, (), {}),
    "not-eligible": (NOT_ELIGIBLE, (), {}),
    "pending-scheduling": (PENDING_SCHEDULING, (), {}),
    "unknown": (UNDETERMINED, (), {}),
    "ee-failing": (UNDETERMINED, (_failure("ee", "fault"),), {"no_residence": True}),
    "mvi-failing": (UNDETERMINED, (_failure("mvi", "multiple-matches"), _failure("ee", "skipped")), {}),
    "ppms-and-routing-failing": (
        UNDETERMINED,
        (_failure("ppms", "timeout"), _failure("routing", "unavailable")),
        {},
    ),
    "maintenance": (UNDETERMINED, (_failure("ee", "maintenance"),), {"no_residence": True}),
    "no-address": (UNDETERMINED, (_failure("ee", "no-address"),), {"no_residence": True}),
    "read-only-code-x": (NOT_ELIGIBLE, (), {"basic_x": True}),
    "released-to-hsrm": (ELIGIBLE, (), {"read_only": True}),
    "scheduler": (UNDETERMINED, (), {"scheduler": True}),
}


def summary_context(state: str, base: dict[str, Any]) -> dict[str, Any]:
    eligible, problems, extra = SUMMARY_STATES[state]
    eligibility = _eligibility(eligible) | {"basicIneligible": bool(extra.get("basic_x"))}
    facilities = base["facility_states"]["filled"]
    found = base["provider_states"]["filled"]
    patient = base["patients"]["filled"]
    if extra.get("no_residence"):
        facilities = base["facility_states"]["note"]
        found = {**base["provider_states"]["empty"], "radiusMiles": None, "note": "No residence."}
        patient = base["patients"]["empty"]
    return {
        "live": bool(extra.get("live")),
        "record": {**base["record"], "dstId": "CATALOGUE", "readOnly": bool(extra.get("read_only"))},
        "eligibility": eligibility,
        "facilities": facilities,
        "found": found,
        "patient": patient,
        "problems": list(problems),
        "scheduler": bool(extra.get("scheduler")),
    }


NOTICES = (
    Notice(
        "maintenance-upcoming", "ppms", "info", "Maintenance ahead:", "PPMS is down Sunday 02:00–04:00 UTC."
    ),
    Notice("outage", "ee", "warning", "E&E is not answering:", "Eligibility codes may be missing."),
)


@router.get("/dev/catalogue", response_class=HTMLResponse)
async def catalogue(
    request: Request, eligibility: str = "eligible", summary: str = "eligible"
) -> HTMLResponse:
    if not request.app.state.settings.is_dev:
        raise HTTPException(404, "Not found")
    if eligibility not in ELIGIBILITY_STATES:
        raise HTTPException(404, f"No catalogue page for eligibility {eligibility!r}.")
    if summary not in SUMMARY_STATES:
        raise HTTPException(404, f"No catalogue page for summary {summary!r}.")
    request.state.dst_notices = NOTICES  # the banners every page shows, each level once
    context = catalogue_context()
    context |= {
        "verdict_name": eligibility,
        "eligibility": _eligibility(ELIGIBILITY_STATES[eligibility]),
        "pages": list(ELIGIBILITY_STATES),
        "summary_name": summary,
        "summary_pages": list(SUMMARY_STATES),
        "summary": summary_context(summary, context),
    }
    return render(request, "dev/catalogue.html", context)
