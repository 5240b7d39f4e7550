"""Retry on the record page: the failed partner is asked again, and only that partner."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from dst.audit.models import AuditEvent
from dst.partners.errors import FailureKind, Partner, PartnerError

from factories import consult, ordinary, veteran
from harness import SERVICE, settings_for, sign_in

PANELS = ("patient", "facilities", "map", "eligibility", "providers", "decision")
METHODS = {
    "person": Partner.MVI,
    "ee_summary": Partner.EE,
    "drive_minutes": Partner.ROUTING,
    "community_providers": Partner.PPMS,
}


class CountingGateway:
    """Counts each partner call and makes the first `failures[partner]` calls fail as unavailable."""

    def __init__(self, gateway: Any, failures: dict[Partner, int]) -> None:
        self.calls: Counter[Partner] = Counter()
        self.failures = dict(failures)
        for method, partner in METHODS.items():
            setattr(gateway, method, self._counted(getattr(gateway, method), partner))

    def _counted(self, call: Callable[..., Any], partner: Partner) -> Callable[..., Any]:
        async def counted(*args: Any, **kwargs: Any) -> Any:
            self.calls[partner] += 1
            if self.failures.get(partner, 0) > 0:
                self.failures[partner] -= 1
                raise PartnerError(partner, FailureKind.UNAVAILABLE, f"{partner.value} is down (test)")
            return await call(*args, **kwargs)

        return counted


@pytest.fixture
def failing_ppms(database_url: str) -> Iterator[tuple[TestClient, CountingGateway]]:
    from dst.main import create_app

    app = create_app(settings_for(database_url))
    with TestClient(app) as client:
        yield client, CountingGateway(app.state.gateway, {Partner.PPMS: 1})
    app.state.engine.dispose()


def open_record(client: TestClient) -> str:
    response = client.post("/api/v1/dst", json=consult(veteran(ordinary)), headers=SERVICE)
    assert response.status_code == 201, response.text
    return str(response.json()["dstId"])


def page_view(client: TestClient, dst_id: str) -> dict[str, str]:
    parts = {name: client.get(f"/dst/{dst_id}/panels/{name}") for name in PANELS}
    assert all(p.status_code == 200 for p in parts.values())
    return {name: p.text for name, p in parts.items()}


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found is not None
    return found.group(1)


def test_retry_asks_the_failed_partner_again_and_no_other(failing_ppms: Any) -> None:
    client, counting = failing_ppms
    sign_in(client)
    dst_id = open_record(client)
    first = page_view(client, dst_id)
    assert "Retry PPMS</button>" in first["providers"]
    assert counting.calls == {Partner.MVI: 1, Partner.EE: 1, Partner.ROUTING: 1, Partner.PPMS: 1}

    retried = client.post(
        f"/dst/{dst_id}/retry",
        data={"csrf": csrf_of(first["providers"]), "partner": "ppms"},
        headers={"Accept": "application/json"},
    )
    assert retried.status_code == 200 and retried.json() == {"retried": "ppms"}
    again = page_view(client, dst_id)
    assert "PPMS-UNAVAILABLE" not in again["providers"] and "<table" in again["providers"]
    assert counting.calls == {Partner.MVI: 1, Partner.EE: 1, Partner.ROUTING: 1, Partner.PPMS: 2}
    with client.app.state.sessions() as session:  # type: ignore[attr-defined]
        events = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "retry-partner", AuditEvent.dst_id == dst_id)
        ).all()
    assert [(e.detail, e.actor != "", e.icn) for e in events] == [
        ({"partner": "ppms"}, True, veteran(ordinary).icn)
    ]


def test_retry_without_javascript_returns_to_the_page(failing_ppms: Any) -> None:
    client, _ = failing_ppms
    sign_in(client)
    dst_id = open_record(client)
    page = client.get(f"/dst/{dst_id}?static=1").text
    assert page.count('data-problem="PPMS-UNAVAILABLE"') == 1
    form = {"csrf": csrf_of(page), "partner": "ppms", "static": "1"}
    answer = client.post(f"/dst/{dst_id}/retry", data=form, follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/dst/{dst_id}?static=1#summary"
    assert "PPMS-UNAVAILABLE" not in client.get(answer.headers["location"]).text


def test_retry_needs_the_form_token_and_a_partner_it_can_ask(failing_ppms: Any) -> None:
    client, _ = failing_ppms
    sign_in(client)
    dst_id = open_record(client)
    page = client.get(f"/dst/{dst_id}").text
    forged = client.post(f"/dst/{dst_id}/retry", data={"csrf": "forged", "partner": "ppms"})
    assert forged.status_code == 403 and "Reload the page" in forged.text
    unknown = client.post(f"/dst/{dst_id}/retry", data={"csrf": csrf_of(page), "partner": "cdw"})
    assert unknown.status_code == 422 and "mvi, ee, routing, ppms" in unknown.text
    missing = client.post("/dst/NOSUCHRECORD/retry", data={"csrf": csrf_of(page), "partner": "ppms"})
    assert missing.status_code == 404
