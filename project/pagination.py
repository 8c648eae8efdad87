"""Cursor (keyset) pagination: page 10,000 costs what page 1 costs.

A page is "the next ``page_size`` rows after (value, id)" in the queryset's ordering, with
the id breaking ties, so it is found through an index however deep it lies and never
skips or repeats a row when rows are added meanwhile. The ordering is the queryset's own
(a view's default, or the ``ordering`` filter): its first field is the key.

NULLs (say, ``published_at`` of drafts) sort as if larger than every value, as PostgreSQL's
indexes order them by default: last going up, first going down. Both databases are told so
explicitly, so a page holds the same rows on SQLite and PostgreSQL.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import json
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.db.models import F, Q, QuerySet
from rest_framework import exceptions
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from project.api import refuse_repeated_parameters
from project.validation import ascii_integer, text_problem

MAX_PAGE_SIZE = 200
DEFAULT_PAGE_SIZE = 50


@dataclass(frozen=True)
class Cursor:
    ordering: str
    value: Any
    pk: int
    reverse: bool


def _invalid(message: str = "Invalid cursor.") -> exceptions.ValidationError:
    return exceptions.ValidationError({"cursor": [message]})


class KeysetPagination(BasePagination):
    """``?cursor=`` (opaque, from ``next``/``previous``) and ``?page_size=`` (1 to 200; larger
    values answer 400, they are not clamped)."""

    cursor_query_param = "cursor"
    page_size_query_param = "page_size"
    page_size = DEFAULT_PAGE_SIZE
    max_page_size = MAX_PAGE_SIZE

    # -- the request ------------------------------------------------------------------------

    def _page_size(self, request) -> int:
        refuse_repeated_parameters(request.query_params, [self.page_size_query_param, self.cursor_query_param])
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None or raw == "":
            return self.page_size
        size = ascii_integer(raw) or 0
        if not 1 <= size <= self.max_page_size:
            raise exceptions.ValidationError(
                {self.page_size_query_param: [f"Give an integer from 1 to {self.max_page_size}."]}
            )
        return size

    def _ordering(self, queryset: QuerySet) -> tuple[str, bool]:
        order_by = queryset.query.order_by or queryset.model._meta.ordering or ["-pk"]
        first = order_by[0]
        if not isinstance(first, str) or "__" in first.lstrip("-"):
            raise ValueError(f"Keyset pagination needs a plain field to order by, not {first!r}.")
        name = first.lstrip("-")
        if name == "pk":
            name = queryset.model._meta.pk.name
        return name, first.startswith("-")

    def _decode(self, request, ordering: str, field: models.Field) -> Cursor | None:
        raw = request.query_params.get(self.cursor_query_param)
        if not raw:
            return None
        try:
            padded = raw + "=" * (-len(raw) % 4)
            data = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
            value, pk, reverse, cursor_ordering = data["v"], data["i"], data["r"], data["o"]
        except (ValueError, TypeError, KeyError, UnicodeError, binascii.Error):
            raise _invalid() from None
        if cursor_ordering != ordering:
            raise _invalid("This cursor belongs to another ordering; start again without it.")
        if not (isinstance(pk, int) and not isinstance(pk, bool) and 0 <= pk < 2**63):
            raise _invalid()
        return Cursor(ordering, self._parse_value(value, field), pk, bool(reverse))

    @staticmethod
    def _parse_value(value: Any, field: models.Field) -> Any:
        if value is None:
            if not field.null:
                raise _invalid()
            return None
        try:
            if isinstance(field, models.DateTimeField):
                moment = datetime.datetime.fromisoformat(value)
                if moment.tzinfo is None:
                    raise ValueError(value)
                # A forged offset PostgreSQL refuses (beyond ±15:59) must not reach it.
                return moment.astimezone(datetime.UTC)
            if isinstance(field, models.DateField):
                return datetime.date.fromisoformat(value)
            if isinstance(field, (models.IntegerField, models.AutoField)):
                if isinstance(value, bool) or not isinstance(value, int) or abs(value) >= 2**63:
                    raise ValueError(value)
                return value
            if isinstance(value, str) and text_problem(value) is None:
                return value  # text no database refuses: no NUL, no lone surrogate
        except (TypeError, ValueError, OverflowError):
            pass
        raise _invalid()

    @staticmethod
    def _encode(cursor: Cursor) -> str:
        value = cursor.value.isoformat() if hasattr(cursor.value, "isoformat") else cursor.value
        payload = json.dumps({"o": cursor.ordering, "v": value, "i": cursor.pk, "r": int(cursor.reverse)})
        return base64.urlsafe_b64encode(payload.encode()).decode("ascii").rstrip("=")

    # -- the query --------------------------------------------------------------------------

    @staticmethod
    def _order(name: str, descending: bool, nullable: bool) -> list:
        if not nullable:
            # Plain ordering, so that PostgreSQL walks the field's b-tree index.
            return [f"-{name}", "-pk"] if descending else [name, "pk"]
        if descending:
            return [F(name).desc(nulls_first=True), F("pk").desc()]
        return [F(name).asc(nulls_last=True), F("pk").asc()]

    @staticmethod
    def _after(name: str, value: Any, pk: int, descending: bool, nullable: bool) -> Q:
        """Rows strictly after ``(value, pk)`` in the given direction (NULL sorts largest)."""
        beyond, pk_beyond = ("lt", "lt") if descending else ("gt", "gt")
        if value is None:
            same = Q(**{f"{name}__isnull": True, f"pk__{pk_beyond}": pk})
            return same | Q(**{f"{name}__isnull": False}) if descending else same
        after = Q(**{f"{name}__{beyond}": value}) | Q(**{name: value, f"pk__{pk_beyond}": pk})
        if nullable and not descending:
            after |= Q(**{f"{name}__isnull": True})
        elif not nullable:
            # Redundant for the result, but it lets both databases start the index range scan
            # at the cursor instead of walking the index from its top to reach it.
            after &= Q(**{f"{name}__{'lte' if descending else 'gte'}": value})
        return after

    def paginate_queryset(self, queryset: QuerySet, request, view=None) -> list:
        self.request = request
        size = self._page_size(request)
        name, descending = self._ordering(queryset)
        field = queryset.model._meta.get_field(name)
        self.ordering = ("-" if descending else "") + name
        cursor = self._decode(request, self.ordering, field)
        reverse = bool(cursor and cursor.reverse)
        direction = descending != reverse
        rows_query = queryset.order_by(*self._order(name, direction, field.null))
        if cursor is not None:
            rows_query = rows_query.filter(self._after(name, cursor.value, cursor.pk, direction, field.null))
        return self.finish_page(
            list(rows_query[: size + 1]),
            size=size,
            cursor=cursor,
            key=lambda row: (getattr(row, field.attname), row.pk),
        )

    def finish_page(self, rows: list, *, size: int, cursor: Cursor | None, key) -> list:
        """Turn the ``size + 1`` rows read after ``cursor`` (in walking order) into the page,
        in display order, and set ``next``/``previous``. ``key(row)`` is ``(value, pk)``.

        Shared with the claim list's fast path, which reads its rows with its own SQL."""
        reverse = bool(cursor and cursor.reverse)
        more = len(rows) > size
        rows = rows[:size]
        if reverse:
            rows.reverse()
        has_next, has_previous = (True, more) if reverse else (more, cursor is not None)
        self.next_cursor = self.previous_cursor = None
        if rows and has_next:
            self.next_cursor = Cursor(self.ordering, *key(rows[-1]), False)
        if rows and has_previous:
            self.previous_cursor = Cursor(self.ordering, *key(rows[0]), True)
        return rows

    # -- the answer -------------------------------------------------------------------------

    def _link(self, cursor: Cursor | None) -> str | None:
        if cursor is None:
            return None
        url = self.request.build_absolute_uri()
        return replace_query_param(url, self.cursor_query_param, self._encode(cursor))

    def links(self) -> dict:
        """The page's ``next`` and ``previous`` links, set by ``finish_page``."""
        return {"next": self._link(self.next_cursor), "previous": self._link(self.previous_cursor)}

    def get_paginated_response(self, data) -> Response:
        return Response({**self.links(), "results": data})

    def get_first_page_link(self) -> str:
        return remove_query_param(self.request.build_absolute_uri(), self.cursor_query_param)

    def get_paginated_response_schema(self, schema: dict) -> dict:
        link = {"type": "string", "format": "uri", "nullable": True}
        return {
            "type": "object",
            "required": ["next", "previous", "results"],
            "properties": {
                "next": {**link, "description": "The next page, or null on the last one."},
                "previous": {**link, "description": "The previous page, or null on the first one."},
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view) -> list[dict]:
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "Opaque position, taken from a `next` or `previous` link.",
                "schema": {"type": "string"},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": (
                    f"Rows per page, 1 to {self.max_page_size} (default {self.page_size}); "
                    "a larger value answers 400 rather than being clamped."
                ),
                "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page_size},
            },
        ]
