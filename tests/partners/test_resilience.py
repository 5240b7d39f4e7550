"""The breaker keeps the vets-api `breakers` gem promises; guarded_call times out, retries and counts."""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, datetime

import httpx2
import pytest
from prometheus_client import REGISTRY

from dst.partners.errors import FailureKind, Partner, PartnerError
from dst.partners.resilience import (
    BreakerState,
    CircuitBreaker,
    PartnerStats,
    RetryPolicy,
    guarded_call,
)
from dst.partners.seoc.client import SeocClient
from dst.partners.seoc.fake import create_app


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


class Clock:
    """Frozen epoch seconds that a test moves by hand (timecop's job in the gem's specs)."""

    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> Clock:
    # Start at the beginning of a minute so "t-90 s" and "t-30 s" fall in the two window buckets.
    return Clock(1_800_000_000.0 - 1_800_000_000.0 % 60 + 30)


@pytest.fixture
def breaker(clock: Clock) -> CircuitBreaker:
    return CircuitBreaker(clock=clock)


def tripped(breaker: CircuitBreaker, clock: Clock) -> None:
    breaker.record_failure()
    assert breaker.state is BreakerState.OPEN


# --- the gem's rate-threshold case --------------------------------------------------------------


def test_100_successes_then_99_failures_stays_closed_and_the_100th_opens(
    breaker: CircuitBreaker, clock: Clock
) -> None:
    for _ in range(60):
        breaker.record_success()
    clock.advance(60)  # 60 in the previous minute, 40 in the current one
    for _ in range(40):
        breaker.record_success()
    for _ in range(99):
        breaker.record_failure()
    assert breaker.state is BreakerState.CLOSED  # 99 / 199 = 49.7 %
    breaker.record_failure()
    assert breaker.state is BreakerState.OPEN  # 100 / 200 = 50 %


def test_buckets_older_than_the_previous_minute_do_not_count(breaker: CircuitBreaker, clock: Clock) -> None:
    for _ in range(10):
        breaker.record_success()
    clock.advance(180)
    breaker.record_success()
    breaker.record_failure()
    # The window is 1 success + 1 error: 50 %, but below the minimum sample of 10 calls.
    assert breaker.state is BreakerState.CLOSED


def test_an_error_with_no_success_in_the_window_opens_at_once(breaker: CircuitBreaker, clock: Clock) -> None:
    breaker.record_failure()
    assert breaker.state is BreakerState.OPEN


def test_open_breaker_lets_no_call_through_for_60_seconds(breaker: CircuitBreaker, clock: Clock) -> None:
    tripped(breaker, clock)
    clock.advance(59.9)
    assert not breaker.allow()


def test_after_60_seconds_exactly_one_probe_goes_through(breaker: CircuitBreaker, clock: Clock) -> None:
    tripped(breaker, clock)
    clock.advance(60)
    assert breaker.allow()
    assert breaker.state is BreakerState.PROBING
    assert not breaker.allow()  # unlike the gem, a busy client cannot burst a partner still down


def test_a_successful_probe_closes_and_forgets_the_outage(breaker: CircuitBreaker, clock: Clock) -> None:
    tripped(breaker, clock)
    clock.advance(60)
    assert breaker.allow()
    breaker.record_success()
    assert breaker.state is BreakerState.CLOSED
    for _ in range(9):
        breaker.record_success()
    breaker.record_failure()
    assert breaker.state is BreakerState.CLOSED  # 1 / 11: the outage's errors no longer count


def test_a_failed_probe_reopens_for_another_60_seconds(breaker: CircuitBreaker, clock: Clock) -> None:
    tripped(breaker, clock)
    clock.advance(60)
    assert breaker.allow()
    breaker.record_failure()
    assert breaker.state is BreakerState.OPEN
    clock.advance(59)
    assert not breaker.allow()
    clock.advance(1)
    assert breaker.allow()


def test_a_cancelled_probe_hands_the_probe_to_the_next_caller(breaker: CircuitBreaker, clock: Clock) -> None:
    tripped(breaker, clock)
    clock.advance(60)
    assert breaker.allow()
    breaker.cancel_probe()
    assert breaker.allow()


def test_forced_outage_is_never_probed_and_ends_only_by_hand(breaker: CircuitBreaker, clock: Clock) -> None:
    breaker.force_open()
    for _ in range(10):
        clock.advance(600)
        assert not breaker.allow()
        breaker.record_success()  # a straggler's success does not end a maintenance window
    assert breaker.state is BreakerState.FORCED_OPEN
    breaker.release()
    assert breaker.allow()


def test_forced_outage_with_an_end_time_releases_itself(breaker: CircuitBreaker, clock: Clock) -> None:
    breaker.force_open(until=datetime.fromtimestamp(clock.now + 3600, tz=UTC))
    clock.advance(3599)
    assert not breaker.allow()
    clock.advance(1)
    assert breaker.allow()
    assert breaker.state is BreakerState.CLOSED


# --- guarded_call ----------------------------------------------------------------------------------


class Partner500:
    """An operation that fails `failures` times with `kind`, then answers "ok"."""

    def __init__(self, failures: int, kind: FailureKind = FailureKind.UNAVAILABLE) -> None:
        self.failures = failures
        self.kind = kind
        self.calls = 0

    async def __call__(self) -> str:
        self.calls += 1
        if self.calls <= self.failures:
            raise PartnerError(Partner.PPMS, self.kind, "HTTP 503")
        return "ok"


async def no_sleep(_: float) -> None:
    return None


def calls_metric(outcome: str, partner: str = "ppms") -> float:
    value = REGISTRY.get_sample_value("dst_partner_calls_total", {"partner": partner, "outcome": outcome})
    return value or 0.0


@pytest.mark.anyio
async def test_open_breaker_fails_fast_without_calling(breaker: CircuitBreaker, clock: Clock) -> None:
    tripped(breaker, clock)
    op, stats = Partner500(0), PartnerStats()
    with pytest.raises(PartnerError) as caught:
        await guarded_call(Partner.PPMS, op, timeout_s=1, breaker=breaker, stats=stats)
    assert caught.value.kind is FailureKind.CIRCUIT_OPEN
    assert caught.value.code == "PPMS-CIRCUIT-OPEN"
    assert op.calls == 0
    assert stats.skipped == 1


@pytest.mark.anyio
async def test_after_the_cool_off_one_call_probes_and_its_success_closes(
    breaker: CircuitBreaker, clock: Clock
) -> None:
    tripped(breaker, clock)
    clock.advance(60)
    op = Partner500(0)
    assert await guarded_call(Partner.PPMS, op, timeout_s=1, breaker=breaker) == "ok"
    assert op.calls == 1
    assert breaker.state is BreakerState.CLOSED


@pytest.mark.anyio
async def test_maintenance_window_is_named_as_such(breaker: CircuitBreaker) -> None:
    breaker.force_open()
    with pytest.raises(PartnerError) as caught:
        await guarded_call(Partner.PPMS, Partner500(0), timeout_s=1, breaker=breaker)
    assert caught.value.kind is FailureKind.MAINTENANCE


@pytest.mark.anyio
async def test_slow_partner_becomes_a_timeout_and_counts_against_the_breaker(breaker: CircuitBreaker) -> None:
    async def slow() -> str:
        await asyncio.sleep(5)
        return "late"

    stats = PartnerStats()
    with pytest.raises(PartnerError) as caught:
        await guarded_call(Partner.SEOC, slow, timeout_s=0.01, breaker=breaker, stats=stats)
    assert caught.value.kind is FailureKind.TIMEOUT
    assert stats.failures["timeout"] == 1
    assert breaker.state is BreakerState.OPEN  # no success yet, so one error opens it


@pytest.mark.anyio
async def test_transient_failures_are_retried_for_reads(breaker: CircuitBreaker) -> None:
    op = Partner500(2)
    breaker.record_success()
    before = calls_metric("unavailable")
    result = await guarded_call(Partner.PPMS, op, timeout_s=1, breaker=breaker, retries=2, sleep=no_sleep)
    assert (result, op.calls) == ("ok", 3)
    assert calls_metric("unavailable") - before == 2


@pytest.mark.anyio
async def test_writes_are_never_retried(breaker: CircuitBreaker) -> None:
    op = Partner500(1)
    with pytest.raises(PartnerError):
        await guarded_call(
            Partner.PPMS, op, timeout_s=1, breaker=breaker, retries=3, idempotent=False, sleep=no_sleep
        )
    assert op.calls == 1


@pytest.mark.anyio
async def test_rejections_are_not_retried_and_do_not_open_the_breaker(breaker: CircuitBreaker) -> None:
    op = Partner500(5, FailureKind.REJECTED)
    with pytest.raises(PartnerError) as caught:
        await guarded_call(Partner.PPMS, op, timeout_s=1, breaker=breaker, retries=3, sleep=no_sleep)
    assert caught.value.kind is FailureKind.REJECTED
    assert op.calls == 1
    assert breaker.state is BreakerState.CLOSED


@pytest.mark.anyio
async def test_retries_stop_when_the_breaker_opens(breaker: CircuitBreaker) -> None:
    op = Partner500(10)
    with pytest.raises(PartnerError) as caught:
        await guarded_call(Partner.PPMS, op, timeout_s=1, breaker=breaker, retries=3, sleep=no_sleep)
    # The first failure opens a breaker that never saw a success; the retry is refused unsent.
    assert caught.value.kind is FailureKind.CIRCUIT_OPEN
    assert op.calls == 1


@pytest.mark.anyio
async def test_raw_httpx_timeouts_are_named(breaker: CircuitBreaker) -> None:
    async def op() -> str:
        raise httpx2.ReadTimeout("slow")

    with pytest.raises(PartnerError) as caught:
        await guarded_call(Partner.ROUTING, op, timeout_s=1, breaker=breaker)
    assert caught.value.kind is FailureKind.TIMEOUT


@pytest.mark.anyio
async def test_a_bug_in_our_code_does_not_count_against_the_partner(breaker: CircuitBreaker) -> None:
    async def op() -> str:
        raise KeyError("ours")

    with pytest.raises(KeyError):
        await guarded_call(Partner.ROUTING, op, timeout_s=1, breaker=breaker)
    assert breaker.state is BreakerState.CLOSED


@pytest.mark.anyio
async def test_success_is_timed_and_counted(breaker: CircuitBreaker) -> None:
    stats = PartnerStats()
    before = calls_metric("success", "cdw")
    await guarded_call(Partner.CDW, Partner500(0), timeout_s=1, breaker=breaker, stats=stats)
    assert stats.successes == 1
    assert stats.percentile_s(0.5) is not None
    assert calls_metric("success", "cdw") - before == 1
    count = REGISTRY.get_sample_value("dst_partner_call_seconds_count", {"partner": "cdw"})
    assert count is not None and count >= 1


def test_metric_labels_carry_only_partner_and_outcome() -> None:
    for metric in REGISTRY.collect():
        if metric.name.startswith("dst_partner_"):
            for sample in metric.samples:
                assert set(sample.labels) <= {"partner", "outcome", "le"}


def test_backoff_grows_and_is_capped() -> None:
    policy, rng = RetryPolicy(base_s=0.1, cap_s=1.0), random.Random(7)
    assert all(0 <= policy.delay_s(0, rng) <= 0.1 for _ in range(50))
    assert all(0 <= policy.delay_s(10, rng) <= 1.0 for _ in range(50))


# --- through a real client and fake ---------------------------------------------------------------


@pytest.mark.anyio
async def test_a_slow_fake_partner_times_out_through_the_real_client(breaker: CircuitBreaker) -> None:
    transport = httpx2.ASGITransport(app=create_app([], latency_s=0.5))
    async with httpx2.AsyncClient(transport=transport) as http:
        client = SeocClient("http://seoc.fake", http)
        with pytest.raises(PartnerError) as caught:
            await guarded_call(Partner.SEOC, client.active_seocs, timeout_s=0.05, breaker=breaker)
    assert caught.value.code == "SEOC-TIMEOUT"


@pytest.mark.anyio
async def test_rate_limiting_is_transient_and_retried(breaker: CircuitBreaker) -> None:
    answers = iter([httpx2.Response(429, json={"message": "API rate limit exceeded"})])

    def handler(request: httpx2.Request) -> httpx2.Response:
        return next(answers, httpx2.Response(200, json={"Seocs": []}))

    breaker.record_success()
    async with httpx2.AsyncClient(transport=httpx2.MockTransport(handler)) as http:
        client = SeocClient("http://seoc.fake", http)
        result = await guarded_call(
            Partner.SEOC, client.active_seocs, timeout_s=1, breaker=breaker, retries=1, sleep=no_sleep
        )
    assert result == []
