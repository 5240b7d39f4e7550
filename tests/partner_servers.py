"""Partner fakes over real HTTP for tests: every request counted, any partner switchable to failing."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from starlette.responses import Response

from dst.config import Settings
from dst.demo.fakes_server import PATHS

from live_server import serve


@dataclass
class PartnerServers:
    """Wraps `dst fakes serve`'s app; `failing[prefix]` answers that partner with the given response."""

    inner: Any
    requests: Counter[str] = field(default_factory=Counter)
    failing: dict[str, Response] = field(default_factory=dict)
    url: str = ""

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            prefix = "/" + scope["path"].strip("/").split("/")[0]
            self.requests[prefix] += 1
            if prefix in self.failing:
                inner = {**scope, "path": scope["path"][len(prefix) :] or "/"}
                await self.failing[prefix](inner, receive, send)
                return
        await self.inner(scope, receive, send)

    def settings(self) -> dict[str, str]:
        """DST settings pointing every partner at these servers."""
        return {f"{p.strip('/')}_url": f"{self.url}{p}" for p in PATHS}

    def total(self) -> int:
        return sum(self.requests.values())


@contextmanager
def partner_servers(settings: Settings, inner: Any = None) -> Iterator[PartnerServers]:
    from dst.demo.fakes_server import create_fakes_app

    servers = PartnerServers(inner or create_fakes_app(settings))
    with serve(servers) as url:
        servers.url = url
        yield servers
