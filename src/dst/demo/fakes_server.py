"""`dst fakes serve`: every partner fake on one port, each under its own path, for the demo and benchmarks."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from starlette._utils import get_route_path
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from dst.config import Settings
from dst.demo.model import DemoNetwork
from dst.demo.network import demo_network
from dst.partners.ee import fake as ee_fake
from dst.partners.facilities import fake as facilities_fake
from dst.partners.fakes import PartnerFakes, delayed
from dst.partners.mvi import fake as mvi_fake
from dst.partners.ppms import fake as ppms_fake
from dst.partners.routing import fake as routing_fake
from dst.partners.seoc import fake as seoc_fake

PATHS = ("/mvi", "/ee", "/facilities", "/ppms", "/seoc", "/routing")


class PrefixRouter:
    """Send `/mvi` and `/mvi/…` alike to the MVI fake: SOAP endpoints are posted to without a slash."""

    def __init__(self, apps: dict[str, ASGIApp]) -> None:
        self.apps = apps

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await _ignore_lifespan(receive, send)
            return
        root_path: str = scope.get("root_path", "")
        route = get_route_path(scope)
        for prefix, app in self.apps.items():
            if route == prefix or route.startswith(prefix + "/"):
                # Starlette routes on the path *below* root_path, so the path keeps the prefix (ASGI:
                # `path` includes `root_path`) and the prefix moves into root_path. `/mvi` alone
                # becomes `/mvi/`, so the fake still sees a path to match.
                inner = {
                    **scope,
                    "path": root_path + (route if route != prefix else prefix + "/"),
                    "root_path": root_path + prefix,
                }
                await app(inner, receive, send)
                return
        await PlainTextResponse("No partner fake at this path", status_code=404)(scope, receive, send)


async def _ignore_lifespan(receive: Receive, send: Send) -> None:
    while True:
        message: Any = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


def embedded_fakes(settings: Settings, network: Callable[[], DemoNetwork] = demo_network) -> PartnerFakes:
    """The demo's partner fakes, each built from the synthetic network on first use: what the app
    factory hands the partner gateway for every partner without a configured URL."""
    return {
        "mvi": lambda: mvi_fake.create_app(network().veterans),
        "ee": lambda: ee_fake.create_app(
            network().veterans,
            username=settings.ee_username,
            password=settings.ee_password.get_secret_value(),
        ),
        "facilities": lambda: facilities_fake.create_app(
            network().facilities,
            api_key=settings.facilities_api_key.get_secret_value(),
            inline_wait_times=True,
        ),
        "ppms": lambda: ppms_fake.create_app(network().providers),
        "seoc": lambda: seoc_fake.create_app(network().seocs),
        "routing": routing_fake.create_app,
    }


def create_fakes_app(
    settings: Settings,
    *,
    latency_s: float = 0.0,
    providers: int | None = None,
    partner_latency_s: Mapping[str, float] | None = None,
) -> PrefixRouter:
    """Point DST at it with DST_MVI_URL=http://host:port/mvi, DST_EE_URL=…/ee, and so on.

    `latency_s` delays every answer; `partner_latency_s` (e.g. {"ppms": 0.5}) overrides it per partner.
    """
    unknown = set(partner_latency_s or {}) - {p.strip("/") for p in PATHS}
    if unknown:
        raise ValueError(f"no partner fake named {', '.join(sorted(unknown))}")
    delay = {p.strip("/"): latency_s for p in PATHS} | dict(partner_latency_s or {})
    built = demo_network() if providers is None else demo_network(providers=providers)
    fakes = embedded_fakes(settings, lambda: built)
    return PrefixRouter({path: delayed(fakes[path.strip("/")](), delay[path.strip("/")]) for path in PATHS})


def parse_partner_latencies(values: Sequence[str]) -> dict[str, float]:
    """`["mvi=200", "ppms=500"]` (milliseconds) → {"mvi": 0.2, "ppms": 0.5}."""
    out: dict[str, float] = {}
    for value in values:
        name, sep, ms = value.partition("=")
        try:
            millis = float(ms)
        except ValueError:
            millis = -1.0
        if not sep or millis < 0:
            raise ValueError(f"expected PARTNER=MILLISECONDS such as ppms=500, got {value!r}")
        out[name.strip().lower()] = millis / 1000
    return out
