"""The embedded default cache: Django's database cache, with an atomic ``incr``.

Django's ``DatabaseCache.incr`` reads the value and writes it back in two statements, so two
workers counting at once both read 7 and both write 8. Throttle counts must not lose
increments, so here the read and the write happen in one transaction holding the row:
``SELECT ... FOR UPDATE`` on PostgreSQL; on SQLite the transaction is ``IMMEDIATE`` (see
the settings), which takes the database's write lock at ``BEGIN``.

The table (``CACHE_TABLE``) is created by the migration ``project/migrations``, so
``migrate`` alone sets it up.
"""

from __future__ import annotations

import base64
import pickle
from typing import Any

from django.core.cache.backends.db import DatabaseCache as DjangoDatabaseCache
from django.db import connections, models, router, transaction
from django.utils.timezone import now as tz_now

CACHE_TABLE = "claimbase_cache"
_MISSING = object()


class DatabaseCache(DjangoDatabaseCache):
    def incr(self, key, delta=1, version=None):
        return self.incr_reading(key, None, delta, version)[0]

    def incr_reading(self, key, other=None, delta=1, version=None) -> tuple[int, Any]:
        """``incr`` of ``key``, and the value of ``other`` (None when it is missing or
        expired) read by the same statement: a throttle's count of this period and its
        count of the previous one in one round trip.

        Only the counted row is locked; ``other`` is read beside it. Requests at a period's
        boundary count one key and read the other both ways round, and locking both rows
        (in the order the scan meets their latest versions) deadlocked under load."""
        key = self.make_and_validate_key(key, version=version)
        other = None if other is None else self.make_and_validate_key(other, version=version)
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        quote_name = connection.ops.quote_name
        table = quote_name(self._table)
        cache_key, value_column, expires = quote_name("cache_key"), quote_name("value"), quote_name("expires")
        lock = " FOR UPDATE OF counted" if connection.features.has_select_for_update_of else ""
        # PostgreSQL: a transaction of its own commits without waiting for its WAL record
        # to reach the disk (set in the same statement, no extra round trip): a crash may
        # lose the last fraction of a second of counts, and no request waits for a flush.
        # Inside a caller's transaction the setting would cover the caller's writes too.
        own = connection.vendor == "postgresql" and not connection.in_atomic_block
        asynchronous = ", set_config('synchronous_commit', 'off', true)" if own else ""
        expression = models.Expression(output_field=models.DateTimeField())
        converters = connection.ops.get_db_converters(expression) + expression.get_db_converters(connection)
        now = tz_now()

        def live(value, expiry):
            """The cached value, or ``_MISSING`` when there is none or it has expired."""
            if value is None:
                return _MISSING
            for converter in converters:
                expiry = converter(expiry, expression, connection)
            return pickle.loads(base64.b64decode(connection.ops.process_clob(value).encode())) if expiry >= now else _MISSING

        with transaction.atomic(using=db), connection.cursor() as cursor:
            cursor.execute(
                f"SELECT counted.{value_column}, counted.{expires}, beside.{value_column}, beside.{expires}{asynchronous} "
                f"FROM {table} counted LEFT JOIN {table} beside ON beside.{cache_key} = %s "
                f"WHERE counted.{cache_key} = %s{lock}",
                [other, key],
            )
            row = cursor.fetchone()
            current = _MISSING if row is None else live(row[0], row[1])
            if current is _MISSING:
                raise ValueError(f"Key '{key}' not found")
            value = current + delta
            encoded = base64.b64encode(pickle.dumps(value, self.pickle_protocol)).decode("latin1")
            cursor.execute(f"UPDATE {table} SET {value_column} = %s WHERE {cache_key} = %s", [encoded, key])
        previous = _MISSING if other is None else live(row[2], row[3])
        return value, None if previous is _MISSING else previous
