"""What the partner fakes share: the people MVI and E&E know, and the delay a benchmark asks for.

The fakes know nothing of the demo: whoever builds one (the demo, a test) hands it its data.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from datetime import date
from typing import Literal, Protocol

from starlette.types import ASGIApp, Receive, Scope, Send

from dst.partners.types import Address, GeoPoint, VceCode

MviBehaviour = Literal["ok", "multiple-matches", "not-found", "error"]
EeBehaviour = Literal["ok", "not-found", "fault"]
# Each partner's embedded fake, built on first use: "mvi", "ee", "facilities", "ppms", "seoc".
PartnerFakes = Mapping[str, Callable[[], ASGIApp]]


class PersonOnFile(Protocol):
    """One person as the MVI and E&E fakes hold them, and how each fake answers for them."""

    @property
    def icn(self) -> str: ...
    @property
    def edipi(self) -> str: ...
    @property
    def given_name(self) -> str: ...
    @property
    def family_name(self) -> str: ...
    @property
    def birth_date(self) -> date: ...
    @property
    def gender(self) -> Literal["M", "F"]: ...
    @property
    def ssn(self) -> str: ...
    @property
    def station(self) -> str: ...
    @property
    def dfn(self) -> str: ...
    @property
    def address(self) -> Address | None: ...
    @property
    def geocode(self) -> GeoPoint | None: ...
    @property
    def vce_codes(self) -> tuple[VceCode, ...]: ...
    @property
    def mvi_behaviour(self) -> MviBehaviour: ...
    @property
    def ee_behaviour(self) -> EeBehaviour: ...


def delayed(app: ASGIApp, latency_s: float) -> ASGIApp:
    """`app` answering each HTTP request `latency_s` later (`dst fakes serve --latency-ms`)."""
    if latency_s <= 0:
        return app

    async def slow(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            await asyncio.sleep(latency_s)
        await app(scope, receive, send)

    return slow
