"""Administrator pages: job history with each job's next run, and unmapped consult services."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from dst.db.base import utcnow
from dst.jobs import service
from dst.jobs.registry import JOB_NAMES
from dst.web.deps import AdminUser, in_transaction
from dst.web.templating import render, render_error

router = APIRouter(include_in_schema=False)


@router.get("/admin/jobs", response_class=HTMLResponse)
async def jobs_page(request: Request, principal: AdminUser, job: str | None = None) -> Response:
    if job is not None and job not in JOB_NAMES:
        return render_error(
            request, 404, "No such job", f"There is no job named {job!r}. Choose one from the list."
        )

    def work(session: Session) -> dict[str, Any]:
        return {
            "overview": service.job_overview(session, utcnow()),
            "runs": service.recent_runs(session, job=job),
        }

    context = await in_transaction(request, work)
    return render(request, "admin_jobs.html", {**context, "job": job, "job_names": JOB_NAMES})


@router.get("/admin/unmapped-services", response_class=HTMLResponse)
async def unmapped_page(request: Request, principal: AdminUser) -> Response:
    services = await in_transaction(request, service.unmapped_consult_services)
    return render(request, "admin_unmapped_services.html", {"services": services})
