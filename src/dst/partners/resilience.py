"""The resilience layer every partner call goes through: breaker, timeout, retries, stats, metrics."""

from __future__ import annotations

import asyncio
import json
import logging
import random
import time
from collections import Counter as TallyCounter
from collections import deque
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, TypeVar

import httpx2
from prometheus_client import Counter, Histogram

from dst.partners.errors import FailureKind, Partner, PartnerError

T = TypeVar("T")
log = logging.getLogger(__name__)

# Labels carry only the partner and the outcome code, never a request detail: no PHI can leak.
PARTNER_CALLS = Counter("dst_partner_calls_total", "Partner calls by outcome", ["partner", "outcome"])
PARTNER_CALL_SECONDS = Histogram("dst_partner_call_seconds", "Partner call latency", ["partner"])

# Failures that say the partner is unwell. REJECTED (4xx) means the partner answered, so, as in the
# breakers gem, it counts as a success for the breaker.
BREAKER_FAILURES = frozenset({FailureKind.TIMEOUT, FailureKind.UNAVAILABLE, FailureKind.MALFORMED})
RETRYABLE = frozenset({FailureKind.TIMEOUT, FailureKind.UNAVAILABLE})
SKIPPED_OUTCOMES = frozenset(
    {FailureKind.CIRCUIT_OPEN.value, FailureKind.MAINTENANCE.value, FailureKind.SKIPPED.value}
)


class BreakerState(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    PROBING = "probing"  # one trial call is in flight after the cool-off
    FORCED_OPEN = "forced-open"  # maintenance window: never probed


@dataclass
class _Bucket:
    start: int
    successes: int = 0
    errors: int = 0


class CircuitBreaker:
    """Error-rate breaker with the vets-api `breakers` gem rules.

    Counts live in per-minute buckets; the current and previous bucket form the window. The breaker
    opens when errors are at least `error_threshold` of the window's calls (once `min_calls` calls
    were seen), or on any error while the window holds no success at all (a partner that never
    answers should not need `min_calls` failures). After `retry_after_s` one probe is let through.
    """

    def __init__(
        self,
        *,
        clock: Callable[[], float] = time.time,
        error_threshold: float = 0.5,
        min_calls: int = 10,
        bucket_s: int = 60,
        retry_after_s: float = 60.0,
    ) -> None:
        self._clock = clock
        self.error_threshold = error_threshold
        self.min_calls = min_calls
        self.bucket_s = bucket_s
        self.retry_after_s = retry_after_s
        self._buckets: deque[_Bucket] = deque(maxlen=2)
        self._opened_at: float | None = None
        self._last_test_at: float | None = None
        self._probe_in_flight = False
        self._forced = False
        self._forced_until: float | None = None

    @property
    def state(self) -> BreakerState:
        if self._forced_active():
            return BreakerState.FORCED_OPEN
        if self._opened_at is None:
            return BreakerState.CLOSED
        return BreakerState.PROBING if self._probe_in_flight else BreakerState.OPEN

    @property
    def opened_at(self) -> float | None:
        return self._opened_at

    def allow(self) -> bool:
        """May a call go out now? In the open state this hands out the single probe."""
        state = self.state
        if state is BreakerState.CLOSED:
            return True
        if state is not BreakerState.OPEN:
            return False
        assert self._last_test_at is not None
        if self._clock() - self._last_test_at < self.retry_after_s:
            return False
        self._probe_in_flight = True
        return True

    def record_success(self) -> None:
        if self._opened_at is not None and not self._forced_active():
            self._close()
            return
        self._bucket().successes += 1

    def record_failure(self) -> None:
        now = self._clock()
        if self._opened_at is not None:
            # A failed probe (or a straggler from before the outage) restarts the cool-off.
            self._probe_in_flight = False
            self._last_test_at = now
            return
        self._bucket().errors += 1
        if self._should_open():
            self._opened_at = self._last_test_at = now

    def cancel_probe(self) -> None:
        """The probe ended without a verdict (e.g. cancelled); let the next caller probe."""
        self._probe_in_flight = False

    def force_open(self, until: datetime | None = None) -> None:
        """Start a maintenance window; without `until` it lasts until `release()`."""
        self._forced = True
        self._forced_until = until.timestamp() if until is not None else None

    def release(self) -> None:
        self._forced = False
        self._forced_until = None

    def _forced_active(self) -> bool:
        if self._forced and self._forced_until is not None and self._clock() >= self._forced_until:
            self.release()
        return self._forced

    def _close(self) -> None:
        # Forget the outage's errors: left in the window they would reopen at the first new error.
        self._opened_at = self._last_test_at = None
        self._probe_in_flight = False
        self._buckets.clear()

    def _bucket(self) -> _Bucket:
        start = int(self._clock() // self.bucket_s) * self.bucket_s
        if not self._buckets or self._buckets[-1].start != start:
            self._buckets.append(_Bucket(start))
        return self._buckets[-1]

    def _window(self) -> tuple[int, int]:
        current = int(self._clock() // self.bucket_s) * self.bucket_s
        live = [b for b in self._buckets if b.start >= current - self.bucket_s]
        return sum(b.successes for b in live), sum(b.errors for b in live)

    def _should_open(self) -> bool:
        successes, errors = self._window()
        if successes == 0:
            return errors > 0
        total = successes + errors
        return total >= self.min_calls and errors / total >= self.error_threshold


@dataclass
class PartnerStats:
    """In-process tallies for one partner, for the status page and tests."""

    successes: int = 0
    failures: TallyCounter[str] = field(default_factory=TallyCounter)
    skipped: int = 0
    latencies_s: deque[float] = field(default_factory=lambda: deque(maxlen=1000))

    def percentile_s(self, fraction: float) -> float | None:
        if not self.latencies_s:
            return None
        ordered = sorted(self.latencies_s)
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with full jitter, capped so a clinician's page never waits long."""

    base_s: float = 0.2
    cap_s: float = 2.0

    def delay_s(self, attempt: int, rng: random.Random) -> float:
        return rng.uniform(0, min(self.cap_s, self.base_s * 2**attempt))


_rng = random.Random()  # noqa: S311 - jitter, not security


async def guarded_call(
    partner: Partner,
    op: Callable[[], Awaitable[T]],
    *,
    timeout_s: float,
    breaker: CircuitBreaker,
    retries: int = 0,
    idempotent: bool = True,
    stats: PartnerStats | None = None,
    policy: RetryPolicy = RetryPolicy(),
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> T:
    """Call `op` through the partner's breaker with a timeout and bounded retries."""
    attempts = 1 + (retries if idempotent else 0)
    for attempt in range(attempts):
        try:
            return await _attempt(partner, op, timeout_s=timeout_s, breaker=breaker, stats=stats)
        except PartnerError as error:
            if error.kind not in RETRYABLE or attempt == attempts - 1:
                raise
            log.info("partner %s %s; retry %d of %d", partner.value, error.kind.value, attempt + 1, retries)
        await sleep(policy.delay_s(attempt, _rng))
    raise AssertionError("unreachable")  # pragma: no cover


async def _attempt(
    partner: Partner,
    op: Callable[[], Awaitable[T]],
    *,
    timeout_s: float,
    breaker: CircuitBreaker,
    stats: PartnerStats | None,
) -> T:
    if not breaker.allow():
        kind = (
            FailureKind.MAINTENANCE if breaker.state is BreakerState.FORCED_OPEN else FailureKind.CIRCUIT_OPEN
        )
        _count(partner, stats, kind.value)
        raise PartnerError(partner, kind, f"{partner.value} is not being called: {breaker.state.value}")
    is_probe = breaker.state is BreakerState.PROBING
    started = time.perf_counter()
    try:
        async with asyncio.timeout(timeout_s):
            result = await op()
    except PartnerError as error:
        _finish(partner, stats, breaker, started, error.kind)
        raise
    except TimeoutError as error:
        _finish(partner, stats, breaker, started, FailureKind.TIMEOUT)
        raise PartnerError(partner, FailureKind.TIMEOUT, f"no answer within {timeout_s:g} s") from error
    except httpx2.HTTPError as error:
        kind = transport_failure_kind(error)
        _finish(partner, stats, breaker, started, kind)
        raise PartnerError(partner, kind, f"transport failure: {type(error).__name__}") from error
    except BaseException:
        if is_probe:
            breaker.cancel_probe()  # our bug or a cancellation says nothing about the partner
        raise
    _finish(partner, stats, breaker, started, None)
    return result


def _finish(
    partner: Partner,
    stats: PartnerStats | None,
    breaker: CircuitBreaker,
    started: float,
    kind: FailureKind | None,
) -> None:
    elapsed = time.perf_counter() - started
    PARTNER_CALL_SECONDS.labels(partner=partner.value).observe(elapsed)
    if stats is not None:
        stats.latencies_s.append(elapsed)
    if kind in BREAKER_FAILURES:
        breaker.record_failure()
    else:
        breaker.record_success()
    _count(partner, stats, "success" if kind is None else kind.value)


def count_skipped(partner: Partner, stats: PartnerStats | None) -> None:
    """A call not made because an earlier step failed (e.g. E&E when MVI found no one)."""
    _count(partner, stats, FailureKind.SKIPPED.value)


def _count(partner: Partner, stats: PartnerStats | None, outcome: str) -> None:
    PARTNER_CALLS.labels(partner=partner.value, outcome=outcome).inc()
    if stats is None:
        return
    if outcome == "success":
        stats.successes += 1
    elif outcome in SKIPPED_OUTCOMES:
        stats.skipped += 1
    else:
        stats.failures[outcome] += 1


# --- HTTP → named failure mapping shared by the REST partner clients ---------------------------


def transport_failure_kind(error: httpx2.HTTPError) -> FailureKind:
    if isinstance(error, httpx2.TimeoutException):
        return FailureKind.TIMEOUT
    return FailureKind.UNAVAILABLE


async def send(
    partner: Partner,
    http: httpx2.AsyncClient,
    url: str,
    *,
    params: Mapping[str, str] | httpx2.QueryParams | None = None,
    headers: Mapping[str, str] | None = None,
) -> httpx2.Response:
    """GET `url`, turning transport failures into PartnerError (the URL is not echoed: it may hold PHI)."""
    try:
        return await http.get(url, params=params, headers=headers)
    except httpx2.HTTPError as error:
        kind = transport_failure_kind(error)
        raise PartnerError(partner, kind, f"transport failure: {type(error).__name__}") from error


def check_status(partner: Partner, response: httpx2.Response) -> None:
    status = response.status_code
    # 429 is the partner shedding load (Lighthouse: 60 requests a minute): transient, so retryable.
    if status >= 500 or status == 429:
        raise PartnerError(partner, FailureKind.UNAVAILABLE, f"HTTP {status}")
    if status >= 400:
        raise PartnerError(partner, FailureKind.REJECTED, f"HTTP {status}")


def decode_json(partner: Partner, response: httpx2.Response) -> Any:
    try:
        return response.json()
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise PartnerError(partner, FailureKind.MALFORMED, "answer is not JSON") from error


def require_mapping(partner: Partner, value: object, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise PartnerError(partner, FailureKind.MALFORMED, f"{what} is not a JSON object")
    return value
