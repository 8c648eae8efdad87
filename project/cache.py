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


class DatabaseCache(DjangoDatabaseCache):
    def incr(self, key, delta=1, version=None):
        return self.incr_reading(key, None, delta, version)[0]

    def incr_reading(self, key, other=None, delta=1, version=None) -> tuple[int, Any]:
        """``incr`` of ``key``, and the value of ``other`` (None when it is missing or
        expired) read by the same statement: a throttle's count of this period and its
        count of the previous one in one round trip."""
        key = self.make_and_validate_key(key, version=version)
        keys = [key] if other is None else [key, self.make_and_validate_key(other, version=version)]
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        quote_name = connection.ops.quote_name
        table = quote_name(self._table)
        lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
        # PostgreSQL: a transaction of its own commits without waiting for its WAL record
        # to reach the disk (set in the same statement, no extra round trip): a crash may
        # lose the last fraction of a second of counts, and no request waits for a flush.
        # Inside a caller's transaction the setting would cover the caller's writes too.
        own = connection.vendor == "postgresql" and not connection.in_atomic_block
        asynchronous = ", set_config('synchronous_commit', 'off', true)" if own else ""
        expression = models.Expression(output_field=models.DateTimeField())
        converters = connection.ops.get_db_converters(expression) + expression.get_db_converters(connection)
        with transaction.atomic(using=db), connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {quote_name('cache_key')}, {quote_name('value')}, {quote_name('expires')}{asynchronous} "
                f"FROM {table} WHERE {quote_name('cache_key')} IN ({', '.join(['%s'] * len(keys))}){lock}",
                keys,
            )
            now = tz_now()
            found = {}
            for row in cursor.fetchall():
                expires = row[2]
                for converter in converters:
                    expires = converter(expires, expression, connection)
                if expires >= now:
                    found[row[0]] = pickle.loads(base64.b64decode(connection.ops.process_clob(row[1]).encode()))
            if key not in found:
                raise ValueError(f"Key '{key}' not found")
            value = found[key] + delta
            encoded = base64.b64encode(pickle.dumps(value, self.pickle_protocol)).decode("latin1")
            cursor.execute(
                f"UPDATE {table} SET {quote_name('value')} = %s WHERE {quote_name('cache_key')} = %s",
                [encoded, key],
            )
        return value, None if other is None else found.get(keys[1])
