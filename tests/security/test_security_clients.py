"""Each machine client has its own token and role; only authenticated requires-dst calls are counted."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from dst.main import create_app
from dst.reference.models import ConsultService
from dst.reports.models import ReportTally

from factories import consult, ordinary, veteran
from harness import SERVICE, prod_settings_for, settings_for

TOKENS = {
    "vista_token": "vista-token-7Kq2Lm9Xw4Zp",
    "ctb_token": "ctb-token-3Rt8Yn1Bv6Hs",
    "scripts_token": "scripts-token-5Gd2Jk7Qx9",
    "admin_api_token": "admin-api-token-8Pw3Ce6Nz1",
}


def bearer(name: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {TOKENS[name]}"}


def test_each_client_token_carries_only_its_own_role(database_url: str) -> None:
    with TestClient(create_app(settings_for(database_url, **TOKENS))) as client:
        body = consult(veteran(ordinary))
        assert client.post("/api/v1/dst", json=body, headers=bearer("vista_token")).status_code == 403
        assert client.post("/api/v1/dst", json=body, headers=bearer("admin_api_token")).status_code == 403
        made = client.post("/api/v1/dst", json=body, headers=bearer("ctb_token"))
        assert made.status_code == 201
        dst_id = made.json()["dstId"]
        assert client.get(f"/api/v1/dst/{dst_id}", headers=bearer("scripts_token")).status_code == 200
        assert (
            client.get(
                "/api/v1/admin/consult-service-overrides", headers=bearer("admin_api_token")
            ).status_code
            == 200
        )
        assert (
            client.get("/api/v1/admin/consult-service-overrides", headers=bearer("ctb_token")).status_code
            == 403
        )
        assert client.get(f"/api/v1/dst/{dst_id}", headers=SERVICE).status_code == 200  # as before
        assert (
            client.get(f"/api/v1/dst/{dst_id}", headers={"Authorization": "Bearer nope"}).status_code == 401
        )


def test_production_may_retire_the_shared_service_token(database_url: str) -> None:
    settings = prod_settings_for(
        database_url, accept_estimated_drive_times=True, service_token="dev-service-token", **TOKENS
    )
    assert settings.service_token_retired
    with TestClient(create_app(settings), base_url="https://dst.test") as client:
        refused = client.get(
            "/api/v1/clinical-services", headers={"Authorization": "Bearer dev-service-token"}
        )
        assert refused.status_code == 401
        assert client.get("/api/v1/clinical-services", headers=bearer("scripts_token")).status_code == 200


def requires_dst_rows(client: TestClient) -> tuple[int, int]:
    with client.app.state.sessions() as session:  # type: ignore[attr-defined]
        tallies = session.scalar(select(func.count()).select_from(ReportTally)) or 0
        unmapped = session.scalar(
            select(func.count()).select_from(ConsultService).where(ConsultService.name.like("JUNK %"))
        )
        return tallies, unmapped or 0


def test_anonymous_requires_dst_is_answered_but_not_counted(database_url: str) -> None:
    with TestClient(create_app(settings_for(database_url, **TOKENS))) as client:
        before = requires_dst_rows(client)
        for n in range(5):
            asked = {"service": f"JUNK {n}", "station": "688"}
            assert client.get("/ctb/v1/requires-dst", params=asked).text == "FALSE"
        assert (
            client.get("/ctb/v1/requires-dst", params={"service": "CARDIOLOGY", "station": "688"}).text
            == "TRUE"
        )
        assert requires_dst_rows(client) == before
        asked = {"service": "JUNK CTB", "station": "688"}
        assert client.get("/ctb/v1/requires-dst", params=asked, headers=bearer("ctb_token")).text == "FALSE"
        tallies, unmapped = requires_dst_rows(client)
        assert tallies > before[0] and unmapped == before[1] + 1
        wrong = client.get("/ctb/v1/requires-dst", params=asked, headers={"Authorization": "Bearer wrong"})
        assert wrong.status_code == 401
