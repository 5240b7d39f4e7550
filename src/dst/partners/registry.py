"""Build the partner gateway from settings: a real URL, or the embedded fake speaking the same protocol."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

import httpx2

from dst.config import Settings
from dst.partners.ee.client import EeClient
from dst.partners.facilities.client import FacilitiesClient
from dst.partners.fakes import PartnerFakes
from dst.partners.gateway import PartnerGateway
from dst.partners.mvi.client import MviClient
from dst.partners.ppms.client import PpmsClient
from dst.partners.routing.client import RoutingClient
from dst.partners.routing.estimator import DriveTimeEstimator
from dst.partners.seoc.client import SeocClient
from dst.partners.transport import AiohttpTransport

FAKE_BASE = "http://fake.partner.invalid"


KEEPALIVE_EXPIRY_S = 2.0
MAX_CONNECTIONS = 100  # per partner and process


def _client(
    stack: AsyncExitStack, url: str | None, fake: Callable[[], Any], timeout_s: float
) -> tuple[str, httpx2.AsyncClient]:
    # The transport timeout is a backstop; guarded_call enforces the partner timeout itself.
    timeout = httpx2.Timeout(timeout_s + 1.0, connect=min(5.0, timeout_s))
    if url:
        # Idle connections are dropped well before a partner's own keep-alive timeout (uvicorn's is
        # 5 s, the same as httpx2's default): reusing one the partner is closing fails the call.
        transport = AiohttpTransport(max_connections=MAX_CONNECTIONS, keepalive_expiry=KEEPALIVE_EXPIRY_S)
        return url.rstrip("/"), httpx2.AsyncClient(timeout=timeout, transport=transport)
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


def _no_fake(name: str) -> Callable[[], Any]:
    def refuse() -> Any:
        raise RuntimeError(f"DST_{name.upper()}_URL is not set and no embedded {name} fake was given")

    return refuse


@asynccontextmanager
async def build_gateway(
    settings: Settings, fakes: PartnerFakes | None = None
) -> AsyncIterator[PartnerGateway]:
    """Each partner at its configured URL, else the embedded fake the caller hands over (the app
    factory and the `dst` commands hand over the demo's)."""
    fakes = fakes or {}
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
            base, http = _client(stack, url, fakes.get(name) or _no_fake(name), t)
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
