"""Shared bits for the SOAP partner tests: recorded fixtures, demo Veterans, XML shape comparison."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import date
from typing import Any

import httpx2
import pytest
from lxml import etree

from dst.demo.model import DemoVeteran
from dst.partners.types import Address, GeoPoint, VceCode

from harness import IN_CI, RECORDED_PARTNERS

# Entirely synthetic people; SSNs sit in the never-issued 000 area.
ANA = DemoVeteran(
    icn="1012345678V123456",
    edipi="1234567890",
    given_name="Ana",
    family_name="Quiroga",
    birth_date=date(1970, 5, 4),
    gender="F",
    ssn="000001234",
    station="516",
    dfn="7301",
    address=Address(
        line1="10000 Bay Pines Blvd", line2="Apt 2", city="Bay Pines", state="FL", zip="33744-1234"
    ),
    geocode=GeoPoint(27.8063, -82.7782),
    vce_codes=(VceCode("B", "Basic", date(2020, 1, 15)), VceCode("U", "Urgent Care", date(2020, 1, 15))),
    scenario="geocoded Veteran with basic eligibility",
)


def veteran(**changes: Any) -> DemoVeteran:
    """A demo Veteran like ANA with the given fields changed."""
    return dataclasses.replace(ANA, **changes)


def recorded(partner: str, name: str) -> bytes:
    """A recorded partner payload from the shared fixtures; skips the test if they are not checked out
    (under CI=true, fails it)."""
    folder = RECORDED_PARTNERS / partner
    if not folder.is_dir():
        missing = f"recorded partner fixtures not found at {folder} (shared checkout absent)"
        if IN_CI:
            pytest.fail(f"{missing}: CI must run the partner contract tests", pytrace=False)
        pytest.skip(missing)
    return (folder / name).read_bytes()


def element_paths(message: Any) -> set[str]:
    """Every element path below `message`, as slash-joined local names (namespaces and order ignored)."""
    paths = set()
    for element in message.iter():
        if element is message or not isinstance(element.tag, str):
            continue
        names = []
        node = element
        while node is not message:
            names.append(etree.QName(node).localname)
            node = node.getparent()
        paths.add("/".join(reversed(names)))
    return paths


def asgi_client(app: Any) -> httpx2.AsyncClient:
    return httpx2.AsyncClient(transport=httpx2.ASGITransport(app=app))


def raising_client(exc: Exception) -> httpx2.AsyncClient:
    """An httpx2 client whose every request fails with `exc`, as a dead or slow partner would."""

    def handler(request: httpx2.Request) -> httpx2.Response:
        raise exc

    return httpx2.AsyncClient(transport=httpx2.MockTransport(handler))


def fixed_answer_app(status: int, body: bytes, content_type: str = "text/xml; charset=utf-8") -> Any:
    """A tiny ASGI app that answers every request with the same status and body."""

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        headers = [(b"content-type", content_type.encode())]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    return app


def recording_sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Every asyncio.sleep the code under test asks for, recorded instead of waited out, so a test of
    a delay depends on no clock (the fakes wait with asyncio.sleep)."""
    waits: list[float] = []
    real_sleep = asyncio.sleep

    async def recording_sleep(seconds: float, *args: Any, **kwargs: Any) -> Any:
        waits.append(seconds)
        return await real_sleep(0, *args, **kwargs)

    monkeypatch.setattr(asyncio, "sleep", recording_sleep)
    return waits
