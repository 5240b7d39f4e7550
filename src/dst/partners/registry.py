"""Build the partner gateway from settings: a real URL, or the embedded fake speaking the same protocol."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

import httpx2

from dst.config import Settings
from dst.partners.ee.client import EeClient
from dst.partners.facilities.client import FacilitiesClient
from dst.partners.gateway import PartnerGateway
from dst.partners.mvi.client import MviClient
from dst.partners.ppms.client import PpmsClient
from dst.partners.routing.client import RoutingClient
from dst.partners.routing.estimator import DriveTimeEstimator
from dst.partners.seoc.client import SeocClient

FAKE_BASE = "http://fake.partner.invalid"


def fake_apps(settings: Settings) -> dict[str, Callable[[], Any]]:
    """Factories for the embedded fakes, built from the synthetic demo network only when needed."""
    from dst.demo.network import demo_network
    from dst.partners.ee import fake as ee_fake
    from dst.partners.facilities import fake as facilities_fake
    from dst.partners.mvi import fake as mvi_fake
    from dst.partners.ppms import fake as ppms_fake
    from dst.partners.seoc import fake as seoc_fake

    return {
        "mvi": lambda: mvi_fake.create_app(demo_network().veterans),
        "ee": lambda: ee_fake.create_app(
            demo_network().veterans,
            username=settings.ee_username,
            password=settings.ee_password.get_secret_value(),
        ),
        "facilities": lambda: facilities_fake.create_app(
            demo_network().facilities,
            api_key=settings.facilities_api_key.get_secret_value(),
            inline_wait_times=True,
        ),
        "ppms": lambda: ppms_fake.create_app(demo_network().providers),
        "seoc": lambda: seoc_fake.create_app(demo_network().seocs),
    }


KEEPALIVE_EXPIRY_S = 2.0


def _client(
    stack: AsyncExitStack, url: str | None, fake: Callable[[], Any], timeout_s: float
) -> tuple[str, httpx2.AsyncClient]:
    # The transport timeout is a backstop; guarded_call enforces the partner timeout itself.
    timeout = httpx2.Timeout(timeout_s + 1.0, connect=min(5.0, timeout_s))
    if url:
        # Idle connections are dropped well before a partner's own keep-alive timeout (uvicorn's is
        # 5 s, the same as httpx2's default): reusing one the partner is closing fails the call.
        limits = httpx2.Limits(max_connections=100, keepalive_expiry=KEEPALIVE_EXPIRY_S)
        client = httpx2.AsyncClient(timeout=timeout, limits=limits)
        return url.rstrip("/"), client
    client = httpx2.AsyncClient(transport=httpx2.ASGITransport(app=_Lazy(fake)), timeout=timeout)
    return FAKE_BASE, client


class _Lazy:
    """An ASGI app built on first request, so unused fakes cost nothing at start-up."""

    def __init__(self, factory: Callable[[], Any]) -> None:
        self.factory = factory
        self.app: Any = None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if self.app is None:
            self.app = self.factory()
        await self.app(scope, receive, send)


@asynccontextmanager
async def build_gateway(settings: Settings) -> AsyncIterator[PartnerGateway]:
    fakes = fake_apps(settings)
    t = settings.partner_timeout_s
    async with AsyncExitStack() as stack:
        clients = {}
        for name, url in (
            ("mvi", settings.mvi_url),
            ("ee", settings.ee_url),
            ("facilities", settings.facilities_url),
            ("ppms", settings.ppms_url),
            ("seoc", settings.seoc_url),
        ):
            base, http = _client(stack, url, fakes[name], t)
            stack.push_async_callback(http.aclose)
            clients[name] = (base, http)
        routing: Any = DriveTimeEstimator()
        if settings.routing_url:
            base, http = _client(stack, settings.routing_url, lambda: None, t)
            stack.push_async_callback(http.aclose)
            routing = RoutingClient(base, http)
        yield PartnerGateway(
            mvi=MviClient(*clients["mvi"]),
            ee=EeClient(
                *clients["ee"],
                username=settings.ee_username,
                password=settings.ee_password.get_secret_value(),
            ),
            ppms=PpmsClient(*clients["ppms"]),
            routing=routing,
            seoc=SeocClient(*clients["seoc"]),
            facilities=FacilitiesClient(
                *clients["facilities"], api_key=settings.facilities_api_key.get_secret_value()
            ),
            timeout_s=t,
        )
