"""What can go wrong while opening the viewer, worded for the clinician who has to act on it."""

from __future__ import annotations


class ViewerProblem(Exception):
    """Rendered as a readable page: what went wrong, and what the user can do about it."""

    def __init__(self, status: int, title: str, detail: str, todo: str, *, code: str) -> None:
        super().__init__(detail)
        self.status = status
        self.title = title
        self.detail = detail
        self.todo = todo
        self.code = code  # stable short code for the audit log and tests, e.g. "untrusted-iss"


RELAUNCH = (
    "Close this window and open the Decision Support Viewer again from the patient's chart in PowerChart."
)
HELP_DESK = (
    "If it happens again, contact the Enterprise Service Desk (855-673-4357) and quote the code above."
)


def missing_launch_parameters(missing: list[str]) -> ViewerProblem:
    return ViewerProblem(
        400,
        "The viewer was not opened from the EHR",
        f"The launch request lacks {' and '.join(missing)}. The Decision Support Viewer opens only from a "
        "patient's chart in the EHR (SMART on FHIR EHR launch), never from a bookmark or a typed address.",
        RELAUNCH,
        code="missing-launch",
    )


def untrusted_iss() -> ViewerProblem:
    return ViewerProblem(
        403,
        "This EHR is not trusted by DST",
        "The launch came from an EHR (FHIR server) that is not on DST's list of trusted EHRs, so DST did "
        "not contact it and shows nothing.",
        "Ask your DST administrator to add this EHR to DST's trusted EHRs, then open the viewer from the "
        "chart again.",
        code="untrusted-iss",
    )


def ehr_unreachable(what: str) -> ViewerProblem:
    return ViewerProblem(
        502,
        "The EHR did not answer as expected",
        f"DST could not complete the SMART launch: {what}",
        f"{RELAUNCH} {HELP_DESK}",
        code="ehr-unreachable",
    )


def authorization_denied(reason: str | None) -> ViewerProblem:
    said = f" The EHR said: {reason}" if reason else ""
    return ViewerProblem(
        403,
        "Access was not authorized",
        f"The EHR did not authorize the Decision Support Viewer for this patient.{said}",
        "If you should have access, ask your EHR administrator to grant the DST viewer app to your role; "
        "otherwise close this window.",
        code="authorization-denied",
    )


def stale_launch() -> ViewerProblem:
    return ViewerProblem(
        400,
        "This launch has expired or was already used",
        "The answer from the EHR does not belong to a launch started in this browser (the state value is "
        "unknown or was used already), so DST ignored it.",
        RELAUNCH,
        code="stale-launch",
    )


def no_patient_context() -> ViewerProblem:
    return ViewerProblem(
        400,
        "No patient was selected in the EHR",
        "The EHR authorized the viewer but did not say which patient is open, so DST shows nothing.",
        "Open the patient's chart in PowerChart first, then open the Decision Support Viewer from it.",
        code="no-patient-context",
    )


def no_edipi() -> ViewerProblem:
    return ViewerProblem(
        422,
        "The patient has no EDIPI in the EHR",
        "DST finds Veterans in the Master Veteran Index by EDIPI (DoD ID), and the EHR's record for this "
        "patient carries none, so DST cannot tell which Veteran this is and shows nothing.",
        "Ask registration staff to correct the patient's identifiers in the EHR, then launch again.",
        code="no-edipi",
    )


def several_matches() -> ViewerProblem:
    return ViewerProblem(
        409,
        "More than one Veteran matches this patient",
        "The Master Veteran Index returned several Veterans for this patient's EDIPI. DST does not guess "
        "which one is meant, so it shows nothing.",
        "Report the duplicate to the Enterprise Service Desk (855-673-4357) for an MVI identity review; "
        "until it is fixed, check community-care eligibility by telephone with the community care office.",
        code="multiple-matches",
    )


def not_in_mvi() -> ViewerProblem:
    return ViewerProblem(
        404,
        "The Veteran was not found in the Master Veteran Index",
        "MVI has no Veteran with this patient's EDIPI, so DST has no VA record to show.",
        "Check the patient's EDIPI in the EHR; if it is right, ask the Enterprise Service Desk "
        "(855-673-4357) to review the Veteran's MVI identity.",
        code="not-in-mvi",
    )


def mvi_unavailable(code: str) -> ViewerProblem:
    return ViewerProblem(
        503,
        "The Master Veteran Index did not answer",
        f"DST could not look the patient up in MVI ({code}), so it cannot show the Veteran's VA record.",
        f"Try again in a few minutes. {HELP_DESK}",
        code="mvi-unavailable",
    )


def no_viewer_session() -> ViewerProblem:
    return ViewerProblem(
        401,
        "Open the viewer from the EHR",
        "There is no viewer session in this browser, or it has expired (sessions last 8 hours).",
        RELAUNCH,
        code="no-viewer-session",
    )
