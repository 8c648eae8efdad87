"""The embedded default cache: Django's database cache, and the throttles' counters in a
table of their own.

A request's count is one statement on ``THROTTLE_TABLE`` (``count_hit``), an upsert that
adds the request to its caller's row and returns this period's count with the previous
period's. One row per caller, rolled over when a period begins; one round trip, no
transaction around it, so the row of a busy caller (every anonymous reader behind one
address) is locked for the statement alone. (Django's own ``incr``, two statements that
two workers may interleave, is not used for counting.)

Both tables are created by the migrations of ``project/migrations``, so ``migrate`` alone
sets them up; ``clear`` empties both.
"""

from __future__ import annotations

import logging
import random
import time

from django.core.cache.backends.db import DatabaseCache as DjangoDatabaseCache
from django.db import connections, router

logger = logging.getLogger(__name__)

CACHE_TABLE = "claimbase_cache"
THROTTLE_TABLE = "claimbase_throttle"
# One count in this many also deletes the rows of callers not seen for two periods.
CULL_EVERY = 1000

# A shared cache (Redis) that did not answer is left alone for this many seconds by the
# process: its users do without it meanwhile (the throttles count in the process's memory,
# read-your-writes keeps to its cookie), then one request pays its timeout to try it again.
SHARED_CACHE_RETRY_SECONDS = 10
_shared_cache_down_until = 0.0


def shared_cache_answers() -> bool:
    """Whether the shared cache is to be asked: it has not failed in the last
    ``SHARED_CACHE_RETRY_SECONDS``."""
    return time.monotonic() >= _shared_cache_down_until


def shared_cache_failed(error: Exception, meanwhile: str) -> None:
    """Leave the shared cache alone for a while, saying so and what is done ``meanwhile``."""
    global _shared_cache_down_until
    _shared_cache_down_until = time.monotonic() + SHARED_CACHE_RETRY_SECONDS
    hint = ""
    if "DB index is out of range" in str(error):
        # Connected, but the address names a database the server does not have: no retry
        # will answer until CACHE_URL (or the server's `databases`) is changed.
        hint = " CACHE_URL names a database number the Redis server does not have (it has 16 unless its `databases` says otherwise): change the address."
    logger.error("The shared cache does not answer (%s: %s): %s for %s s.%s", type(error).__name__, error, meanwhile,
                 SHARED_CACHE_RETRY_SECONDS, hint)


def throttle_table_sql(quote_name) -> str:
    """The counters' table: a caller's key, the number of its period (time // period), its
    count in that period and in the one before, and when the row stops mattering (unix
    seconds, the end of the period after)."""
    return (
        f"CREATE TABLE {quote_name(THROTTLE_TABLE)} ({quote_name('key')} varchar(255) NOT NULL PRIMARY KEY, "
        f"{quote_name('bucket')} bigint NOT NULL, {quote_name('count')} integer NOT NULL, "
        f"{quote_name('previous')} integer NOT NULL, {quote_name('expires')} bigint NOT NULL)"
    )


class DatabaseCache(DjangoDatabaseCache):
    def _counter(self, key: str, period: int):
        """The connection that counts (the primary's) and the row's key: the caller's key
        with the period's length, so that each rate has a row of its own."""
        return connections[router.db_for_write(self.cache_model_class)], f"{self.make_and_validate_key(key)}:{period}"

    def count_hit(self, key: str, period: int, now: float | None = None) -> tuple[int, int]:
        """Count one request of ``key`` in the current period of ``period`` seconds; returns
        the count of this period (this request included) and of the previous one. Atomic:
        one statement, which locks the caller's row while it runs.

        A row last counted in an earlier period rolls over: the period just ended becomes
        the previous one (or nothing, if the caller skipped a period). A row counted in a
        later period (another server whose clock runs ahead) is counted as it is."""
        now = time.time() if now is None else now
        bucket = int(now // period)
        connection, key = self._counter(key, period)
        q = connection.ops.quote_name
        key_, bucket_, count_, previous_, expires_ = (q(name) for name in ("key", "bucket", "count", "previous", "expires"))
        current = f"t.{bucket_} >= excluded.{bucket_}"
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            # A transaction of its own commits without waiting for its WAL record to reach
            # the disk (set in the same statement): a crash may lose the last fraction of a
            # second of counts, and no request waits for a flush. Inside a caller's
            # transaction the setting would cover the caller's writes too.
            values = "SELECT %s, %s, 1, 0, %s FROM (SELECT set_config('synchronous_commit', 'off', true)) AS durability"
        else:
            values = "VALUES (%s, %s, 1, 0, %s)"
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {q(THROTTLE_TABLE)} AS t ({key_}, {bucket_}, {count_}, {previous_}, {expires_}) {values} "
                f"ON CONFLICT ({key_}) DO UPDATE SET "
                f"{count_} = CASE WHEN {current} THEN t.{count_} + 1 ELSE 1 END, "
                f"{previous_} = CASE WHEN {current} THEN t.{previous_} "
                f"WHEN t.{bucket_} = excluded.{bucket_} - 1 THEN t.{count_} ELSE 0 END, "
                f"{bucket_} = CASE WHEN {current} THEN t.{bucket_} ELSE excluded.{bucket_} END, "
                f"{expires_} = CASE WHEN {current} THEN t.{expires_} ELSE excluded.{expires_} END "
                f"RETURNING {count_}, {previous_}",
                [key, bucket, (bucket + 2) * period],
            )
            count, previous = cursor.fetchone()
            if random.randrange(CULL_EVERY) == 0:
                cursor.execute(f"DELETE FROM {q(THROTTLE_TABLE)} WHERE {expires_} < %s", [int(now)])
        return count, previous

    def uncount_hit(self, key: str, period: int, now: float | None = None) -> None:
        """Take back a request ``count_hit`` counted in this period (one that was refused)."""
        now = time.time() if now is None else now
        connection, key = self._counter(key, period)
        q = connection.ops.quote_name
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {q(THROTTLE_TABLE)} SET {q('count')} = {q('count')} - 1 "
                f"WHERE {q('key')} = %s AND {q('bucket')} = %s AND {q('count')} > 0",
                [key, int(now // period)],
            )

    def clear(self):
        super().clear()
        connection = connections[router.db_for_write(self.cache_model_class)]
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(THROTTLE_TABLE)}")
