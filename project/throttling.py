"""API throttles whose counts every worker and server shares.

A rate of N a period is counted in the configured cache (``CACHE_URL``: Redis, or the
database cache of the embedded default), one counter per caller and period. The count
that decides is a sliding one: this period's requests plus the previous period's, weighted
by how much of the previous period the sliding window still covers. A caller gets N at
once, and then requests again as its earlier ones age out of the window, never N twice
at a period's boundary.

Counting is atomic and returns the count including this request, so two workers never
both see the last free place: on the database cache, one upsert of the caller's row that
returns this period's count and the previous one's (``DatabaseCache.count_hit``); on Redis,
``INCR`` of this period's key, and a read of the previous period's. A refused request is
counted back out, so that hammering while refused does not push the caller's allowance
further away.

A shared cache that does not answer (Redis down, or silent past ``CACHE_TIMEOUT_SECONDS``)
is no 500: each process counts in its own memory meanwhile (each enforcing the limits
alone), says so in its log, and asks Redis again after ``project.cache.SHARED_CACHE_RETRY_SECONDS``.
"""

from __future__ import annotations

import logging
import math
import time
from contextlib import contextmanager

from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from django.core.cache import cache as default_cache
from django.core.cache.backends.locmem import LocMemCache
from django.db import OperationalError, connection
from redis.exceptions import RedisError
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle

from project.addresses import client_key
from project.rates import parse_rate
from project.cache import DatabaseCache, shared_cache_answers, shared_cache_failed
from project.middleware import database_busy

logger = logging.getLogger(__name__)

# On SQLite, how long counting waits for a writer that holds the database (an import):
# a reader must not wait out the writers' 30-second busy timeout for its throttle.
COUNTING_BUSY_TIMEOUT_MS = 1_000

# While the shared cache does not answer, each process counts here (``project.cache``).
_local_counts = LocMemCache("claimbase-throttles-while-the-shared-cache-is-down", {"OPTIONS": {"MAX_ENTRIES": 100_000}})


class SharedRateThrottle(BaseThrottle):
    scope = ""
    cache = default_cache
    timer = staticmethod(time.time)

    def __init__(self):
        self.retry_after: float | None = None

    def get_rate(self) -> tuple[int, int] | None:
        # Read per request, so that settings overrides (tests, a reloaded config) apply.
        return parse_rate(api_settings.DEFAULT_THROTTLE_RATES.get(self.scope))

    def get_ident(self, request) -> str:
        return client_key(request)

    def get_cache_key(self, request, view) -> str | None:
        raise NotImplementedError

    def _backend(self):
        return caches[DEFAULT_CACHE_ALIAS] if self.cache is default_cache else self.cache

    def _count(self, key: str, now: float, period: int) -> tuple[int, int]:
        """Add this request to ``key``'s count of the current period, atomically (a fresh
        key starts at 1); returns that count and the previous period's."""
        backend = self._backend()
        if isinstance(backend, DatabaseCache):
            return backend.count_hit(key, period, now)
        window = int(now // period)
        count = self._incr(f"{key}:{window}", 2 * period + 1)
        previous = self.cache.get(f"{key}:{window - 1}", 0)
        return count, previous if isinstance(previous, int) else 0

    def _incr(self, key: str, timeout: int) -> int:
        for _ in range(3):
            try:
                return self.cache.incr(key)
            except ValueError:  # no such key (yet, or it expired)
                if self.cache.add(key, 1, timeout):
                    return 1
            except TypeError:  # a value of another shape: counts as nothing used
                self.cache.set(key, 1, timeout)
                return 1
        return self.cache.incr(key)

    def _uncount(self, key: str, now: float, period: int) -> None:
        backend = self._backend()
        if isinstance(backend, DatabaseCache):
            backend.uncount_hit(key, period, now)
        else:
            self.cache.decr(f"{key}:{int(now // period)}")

    @contextmanager
    def _counting(self):
        """On the database cache over SQLite, wait at most ``COUNTING_BUSY_TIMEOUT_MS`` for
        the write lock; elsewhere, as configured."""
        backend = self._backend()
        shorten = isinstance(backend, DatabaseCache) and connection.vendor == "sqlite" and not connection.in_atomic_block
        if not shorten:
            yield
            return
        connection.ensure_connection()
        configured = connection.connection.execute("PRAGMA busy_timeout").fetchone()[0]
        connection.connection.execute(f"PRAGMA busy_timeout = {COUNTING_BUSY_TIMEOUT_MS}")
        try:
            yield
        finally:
            connection.connection.execute(f"PRAGMA busy_timeout = {int(configured)}")

    def allow_request(self, request, view) -> bool:
        if self.cache is default_cache and not shared_cache_answers():
            self.cache = _local_counts
        try:
            with self._counting():
                return self._allow(request, view)
        except RedisError as error:
            shared_cache_failed(error, "throttles count in this process alone")
            self.cache, self.retry_after = _local_counts, None
            return self._allow(request, view)
        except OperationalError as error:
            if not database_busy(error):
                raise
            # Another writer (an import, on SQLite) holds the database: serve the request
            # uncounted rather than make a reader wait for the writer or fail.
            logger.warning("Throttle not counted: the database is busy (%s).", error)
            return True

    def _allow(self, request, view) -> bool:
        rate = self.get_rate()
        if rate is None:
            return True
        key = self.get_cache_key(request, view)
        if key is None:
            return True
        limit, period = rate
        if limit <= 0:
            self.retry_after = float(period)
            return False
        now = self.timer()
        into = now % period
        count, previous = self._count(key, now, period)
        weight = 1 - into / period
        if previous * weight + count <= limit:
            return True
        self._uncount(key, now, period)
        self.retry_after = self._wait(limit, period, count - 1, previous, into)
        return False

    @staticmethod
    def _wait(limit: int, period: int, count: int, previous: int, into: float) -> float:
        """Seconds until one more request fits: within this period, when the previous
        period's weight has fallen enough; else in the next one, when this period's has."""
        if count < limit and previous:
            # previous * (1 - t / period) + count + 1 <= limit
            moment = period * (1 - (limit - count - 1) / previous)
            return max(moment - into, 0.001)
        # Next period: count * (1 - t / period) + 1 <= limit
        moment = period * (1 - (limit - 1) / count) if count else 0.0
        return (period - into) + max(moment, 0.0)

    def wait(self) -> float | None:
        return None if self.retry_after is None else float(math.ceil(self.retry_after))


class AnonThrottle(SharedRateThrottle):
    """Anonymous callers, per address: ``REST_FRAMEWORK['DEFAULT_THROTTLE_RATES']['anon']``."""

    scope = "anon"

    def get_cache_key(self, request, view) -> str | None:
        if request.user and request.user.is_authenticated:
            return None
        return f"throttle:anon:{self.get_ident(request)}"


class UserThrottle(SharedRateThrottle):
    """Authenticated callers, per user: ``...['user']``, a higher limit. (Anonymous callers
    count against the anonymous limit only.)"""

    scope = "user"

    def get_cache_key(self, request, view) -> str | None:
        if not (request.user and request.user.is_authenticated):
            return None
        return f"throttle:user:{request.user.pk}"
