"""DST's route families, in one place: the error handlers, the guards, the rate limits, the
maintenance gate and the security headers all ask here which family a path belongs to."""

from __future__ import annotations

STATIC = "/static/"
VISTA = "/vs/"  # VistA's consult-factor fetch: plain text
CTB = "/ctb/"  # Consult Toolbox's requires-DST question: plain text
API = "/api/"  # the JSON API
VIEWER_API = "/ehrm-api/"  # the viewer's JSON API
HEALTH = "/health"
METRICS = "/metrics"
DEV = "/dev/"  # development-only routes (the demo sign-in, the CPRS simulator, the fake EHR)

# Machine callers answered in plain text (and limited per caller, not per sign-in).
PLAIN = (VISTA, CTB)
# Answered with JSON (problem+json on errors); everything else is a page for people.
JSON = (API, VIEWER_API, HEALTH, METRICS)
# The two JSON APIs, where state-changing calls need the CSRF header or a bearer token.
APIS = (API, VIEWER_API)
# Served even while a partner is down or DST is under maintenance, without a notice.
QUIET = (STATIC, HEALTH, METRICS, VISTA)
# Where a clinician works with a Veteran's record: closed while DST is under maintenance.
CLINICAL = ("/dst/", "/launch", "/api/v1/dst", "/dev/cprs", "/dsv", "/scheduling", VIEWER_API)
# The only answers browsers and proxies may keep a copy of.
CACHEABLE = (STATIC,)


def is_page(path: str) -> bool:
    """A page for people (HTML errors), not a machine route."""
    return not path.startswith(JSON + PLAIN)
