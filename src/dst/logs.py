"""The one place DST configures logging: the format, the quiet libraries and URLs kept out of the log."""

from __future__ import annotations

import logging
import sys

import httpx2

# Libraries whose INFO lines DST does not want: httpx2 writes every request line (DST logs each
# partner call's outcome itself), Alembic every migration step.
QUIET = ("httpx2", "alembic.runtime.migration")
_HTTP_LOGGER = "httpx2"


class OriginsOnly(logging.Filter):
    """Request URLs in the HTTP client's records shrink to their origin: a path or a query may
    identify a Veteran (the viewer reads `Patient/{id}`), so neither reaches a log, whatever level
    the logger is set to."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and any(isinstance(a, httpx2.URL) for a in record.args):
            record.args = tuple(_origin(a) if isinstance(a, httpx2.URL) else a for a in record.args)
        return True


def _origin(url: httpx2.URL) -> str:
    port = f":{url.port}" if url.port is not None else ""
    return f"{url.scheme}://{url.host}{port}/…"


def keep_urls_out() -> None:
    """Install the origins-only filter on the HTTP client's logger (once; the app factory calls it)."""
    logger = logging.getLogger(_HTTP_LOGGER)
    if not any(isinstance(f, OriginsOnly) for f in logger.filters):
        logger.addFilter(OriginsOnly())


def configure() -> None:
    """What every `dst` command logs: INFO and above on stderr, without the quiet libraries' chatter."""
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr
    )
    for name in QUIET:
        logging.getLogger(name).setLevel(logging.WARNING)
    keep_urls_out()
