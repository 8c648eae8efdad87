"""Writing many rows' fields at once."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db import DEFAULT_DB_ALIAS, connections


def update_by_pk(model, names: Sequence[str], rows: Iterable[Sequence], using: str = DEFAULT_DB_ALIAS) -> None:
    """Set the fields ``names`` of rows of ``model``: ``rows`` are ``(value, ..., pk)``, the
    values in the order of ``names``, as Python values (each field prepares its own, a JSON
    field's list included). One prepared UPDATE run for every row: ``bulk_update`` writes the
    same with a CASE expression over every row of a batch, whose building and binding cost
    about 0.2 ms a row (9 s of Python for the feed events of 90,000 imported claims)."""
    connection = connections[using]
    fields = [model._meta.get_field(name) for name in names]
    quote = connection.ops.quote_name
    sql = (
        f"UPDATE {quote(model._meta.db_table)} SET {', '.join(f'{quote(field.column)} = %s' for field in fields)} "
        f"WHERE {quote(model._meta.pk.column)} = %s"
    )
    prepared = [
        (*(field.get_db_prep_save(value, connection) for field, value in zip(fields, values, strict=True)), pk)
        for *values, pk in rows
    ]
    if prepared:
        with connection.cursor() as cursor:
            cursor.executemany(sql, prepared)
