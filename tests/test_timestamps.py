"""PostgreSQL timestamps are read by ``project.timestamps.IsoTzLoader``, giving exactly what
Django's own loader gives, and falling back to it for what ISO parsing refuses."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.backends.postgresql.psycopg_any import register_tzloader
from django.db.utils import DataError

from project.timestamps import IsoTzLoader

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's timestamp loader"),
]

LITERALS = [
    "2023-01-01 00:30:18.62281+00", "2023-01-01 00:30:18+00", "2026-12-04 23:59:59.999999+00",
    "2024-02-29 12:00:00.1+05:30", "1999-12-31 23:00:00-03", "0099-01-01 00:00:00+00",
    "9999-12-30 23:59:59.999999+00", "1970-01-01 00:00:00+00", "1950-06-01 12:34:56.000001+00:00:12",
]


def read(literals: list[str], loader=None) -> list:
    with connection.cursor() as cursor:
        if loader is not None:
            loader(cursor.cursor)
        cursor.execute(
            "SELECT value::timestamptz FROM unnest(%s::text[]) WITH ORDINALITY AS t(value, n) ORDER BY n", [literals]
        )
        return [row[0] for row in cursor.fetchall()]


def django_loader(cursor) -> None:
    register_tzloader(connection.timezone, cursor)


def test_the_connection_reads_timestamps_with_the_iso_loader():
    connection.ensure_connection()
    loader = connection.connection.adapters.get_loader(1184, 0)  # timestamptz, text
    assert issubclass(loader, IsoTzLoader) and loader.timezone == connection.timezone


@pytest.mark.parametrize("zone", ["UTC", "Asia/Kolkata", "America/Sao_Paulo"])
def test_it_reads_what_djangos_loader_reads(zone):
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('TimeZone', %s, false)", [zone])
    try:
        ours, django = read(LITERALS), read(LITERALS, django_loader)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('TimeZone', %s, false)", [connection.timezone_name])
    assert ours == django
    assert [value.tzinfo for value in ours] == [value.tzinfo for value in django]
    assert [value.utcoffset() for value in ours] == [value.utcoffset() for value in django]


def test_what_iso_parsing_refuses_goes_to_djangos_loader():
    # Years BC and infinity: Django's loader raises; so does this one, the same way.
    for literal in ("0044-03-15 12:00:00+00 BC", "infinity"):
        with pytest.raises(DataError):
            read([literal])
        with pytest.raises(DataError):
            read([literal], django_loader)


def test_a_model_reads_its_dates_as_before(django_user_model):
    user = django_user_model.objects.create(username="dated", date_joined=dt.datetime(2021, 3, 4, 5, 6, 7, 89, tzinfo=dt.UTC))
    assert django_user_model.objects.get(pk=user.pk).date_joined == dt.datetime(2021, 3, 4, 5, 6, 7, 89, tzinfo=dt.UTC)
