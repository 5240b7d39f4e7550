"""Per-client token buckets for sign-in and machine endpoints, and per signed-in person for everything
else they ask (in-process; one set per process).

The client is the real one: behind a trusted proxy (DST_TRUSTED_PROXIES) the proxy headers
middleware has already replaced the TCP peer with the address the proxy reports. One client's
requests are spread over every replica and worker, so each process enforces its share of each
limit (the limit divided by `processes`), and the cluster as a whole admits about the configured
rate per client.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from dataclasses import dataclass, field

from starlette.types import ASGIApp, Receive, Scope, Send

from dst.web import routes
from dst.web.guards import refusal

SIGN_IN_PATHS = frozenset({"/sign-in", "/auth/callback", "/dev/sign-in"})
# Bounded so a flood from many addresses cannot grow memory without end; the oldest address is forgotten.
MAX_TRACKED = 10_000
MIN_SIGN_IN_BURST = 5


@dataclass
class TokenBucket:
    rate: float  # tokens added per second
    capacity: float
    tokens: float = field(init=False)
    updated: float = field(default_factory=time.monotonic)

    def __post_init__(self) -> None:
        self.tokens = self.capacity

    def take(self, now: float) -> float:
        """0 when a token was taken; otherwise the seconds until one is available."""
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens >= 1:
            self.tokens -= 1
            return 0.0
        return (1 - self.tokens) / self.rate


class Buckets:
    def __init__(self, rate: float, capacity: float) -> None:
        self.rate = rate
        self.capacity = capacity
        self.by_address: OrderedDict[str, TokenBucket] = OrderedDict()

    def take(self, address: str, now: float) -> float:
        bucket = self.by_address.pop(address, None) or TokenBucket(self.rate, self.capacity, updated=now)
        self.by_address[address] = bucket
        if len(self.by_address) > MAX_TRACKED:
            self.by_address.popitem(last=False)
        return bucket.take(now)


def classify(scope: Scope) -> str | None:
    path: str = scope["path"]
    if path in SIGN_IN_PATHS:
        return "sign-in"
    if path.startswith(routes.PLAIN):
        return "machine"
    if path.startswith(routes.API) and any(k == b"authorization" for k, _ in scope.get("headers", [])):
        return "machine"
    return None


class RateLimitMiddleware:
    """429 with Retry-After once an address has spent its burst; a rate of 0 turns a limit off."""

    def __init__(
        self, app: ASGIApp, sign_in_per_minute: int, machine_per_second: float, processes: int = 1
    ) -> None:
        self.app = app
        self.limits: dict[str, Buckets] = {}
        share = 1 / max(1, processes)
        if sign_in_per_minute > 0:
            # The burst stays at least a few sign-ins, so a clinician retrying a typo is never refused
            # because their requests happened to land on the same replica.
            per_process = sign_in_per_minute * share
            burst = max(per_process, min(sign_in_per_minute, MIN_SIGN_IN_BURST))
            self.limits["sign-in"] = Buckets(per_process / 60, burst)
        if machine_per_second > 0:
            # A burst of two seconds' worth lets VistA's retries and CTB's panel reads through together.
            per_process = machine_per_second * share
            self.limits["machine"] = Buckets(per_process, max(1.0, 2 * per_process))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = classify(scope) if scope["type"] == "http" else None
        buckets = self.limits.get(kind) if kind else None
        if buckets is not None:
            address = scope["client"][0] if scope.get("client") else "unknown"
            wait = buckets.take(address, time.monotonic())
            if wait > 0:
                await too_many(scope, receive, send, "from this address", wait)
                return
        await self.app(scope, receive, send)


async def too_many(scope: Scope, receive: Receive, send: Send, whose: str, wait: float) -> None:
    detail = f"Too many requests {whose}. Wait a moment and try again."
    headers = {"Retry-After": str(math.ceil(wait))}
    await refusal(scope, 429, "Too many requests", detail, headers)(scope, receive, send)


def signed_in_key(scope: Scope) -> str | None:
    """Who a session belongs to: the clinician's user id or the viewer launch's id; None if nobody."""
    session = scope.get("session") or {}
    user = session.get("user") or {}
    if user.get("id"):
        return f"user:{user['id']}"
    viewer = session.get("dsv") or {}
    if viewer.get("sid"):
        return f"viewer:{viewer['sid']}"
    return None


class SignedInRateLimitMiddleware:
    """Sits inside the session middleware: a person's requests share one bucket wherever they come from,
    so people behind one address (a site's proxy) never share a limit, and a stolen or scripted session
    cannot drive the API or the pages without bound. Static assets are not counted."""

    def __init__(self, app: ASGIApp, per_second: float, processes: int = 1) -> None:
        self.app = app
        per_process = per_second / max(1, processes)
        # Ten seconds' worth: a page view is the page, its panels and a save, all at once.
        self.buckets = Buckets(per_process, max(1.0, 10 * per_process)) if per_second > 0 else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.buckets is not None and scope["type"] == "http" and not scope["path"].startswith("/static/"):
            key = signed_in_key(scope)
            wait = self.buckets.take(key, time.monotonic()) if key else 0.0
            if wait > 0:
                await too_many(scope, receive, send, "in this session", wait)
                return
        await self.app(scope, receive, send)
