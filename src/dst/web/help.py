"""The in-app Help page and the "What's new" note: plain pages anyone may read, with no Veteran data."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from dst.eligibility import VERDICTS
from dst.eligibility.access import CATEGORY_WORDS
from dst.eligibility.models import ELIGIBLE, NOT_ELIGIBLE, PENDING_SCHEDULING, UNDETERMINED
from dst.eligibility.standards import ACCESS_STANDARDS
from dst.web.templating import render

router = APIRouter(include_in_schema=False)

# The headline of each state with what it means for the person reading it.
STATE_MEANINGS = (
    (
        ELIGIBLE,
        "At least one criterion is met and E&E has ruled out code X. The Veteran may choose community care.",
    ),
    (NOT_ELIGIBLE, "Every criterion was evaluated and none is met, or E&E shows code X."),
    (
        PENDING_SCHEDULING,
        "Nothing failed: no criterion is met when the consult is ordered, and wait time is decided when the "
        "scheduler records VA's next available appointment.",
    ),
    (
        UNDETERMINED,
        "A criterion that could change the answer could not be evaluated, for instance because a system DST "
        "asks did not answer. The criterion's evidence says who can resolve it.",
    ),
)


@router.get("/help", response_class=HTMLResponse)
async def help_page(request: Request) -> Response:
    routine = [
        (CATEGORY_WORDS.get(s.care_category, str(s.care_category)), s)
        for s in ACCESS_STANDARDS
        if s.urgency == "routine"
    ]
    return render(
        request,
        "help.html",
        {"states": [(VERDICTS[code], meaning) for code, meaning in STATE_MEANINGS], "standards": routine},
    )


@router.get("/whats-new", response_class=HTMLResponse)
async def whats_new(request: Request) -> Response:
    return render(request, "whats_new.html", {})
