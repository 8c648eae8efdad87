"""Reading and checking the lines of an import file (see ``claims.transfer``).

Pure checks against the database's current state: nothing here writes. The ``Resolver``
turns a line into a ``PreparedClaim`` (ids resolved, offsets anchored, the workflow's
invariants for the claimed status checked) or raises ``InvalidLine`` saying why.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import gc
import hashlib
import io
import os
import re
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

import orjson
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import connection
from django.db.models import Q
from django.utils.dateparse import parse_date, parse_datetime

from project.errors import InvalidInput
from project.validation import readable, refuse_unstorable_text, repeated_json_key, text_problem
from sources import anchoring, ingestion
from sources.ingest.detect import PDF
from sources.ingest.encoding import for_label
from sources.models import MAX_OFFSET, Source, Span, sha256_of, url_key
from sources.services import SOURCE_FIELDS, source_text_problem

from .. import rules
from ..models import CLAIM_TEXT_MAX_LENGTH, NOTE_MAX_LENGTH, NOTES_MAX_LENGTH, Claim, Entity, Evidence, Review
from ..roles import is_analyst, is_reviewer
from . import lines as line_format

Status = Claim.Status
Verdict = Claim.Verdict
Stance = Evidence.Stance

DEFAULT_BATCH_SIZE = 1000
# A batch also ends once its lines pass this many bytes: a file's sources come first, and
# with their texts and originals (base64) a batch of a thousand claims' worth of lines held
# every source of the file, 2.4 times its size (a 1.1 GB export took 2.7 GB to import).
BATCH_BYTES = 32 * 1024 * 1024
SOURCE_CACHE_BYTES = 64 * 1024 * 1024
MAX_REPORTED_ERRORS = 1000
CHANGE_REASON = "Imported"
# A checked moderation log entry, as a tuple (created_at None: the time of the import).
REVIEW_FIELDS = ("actor_id", "action", "from_status", "to_status", "comment", "created_at")

# Statuses whose content is frozen since it was submitted: what submission checks holds.
SUBMITTED_CONTENT_STATUSES = {Status.IN_REVIEW, Status.REJECTED, Status.PUBLISHED, Status.RETRACTED}
# The choices as plain tuples: ``TextChoices.values`` is rebuilt on every access.
STATUSES = tuple(Status.values)
VERDICTS = tuple(Verdict.values)
CONFIDENCES = tuple(Claim.Confidence.values)
STANCES = tuple(Stance.values)
ANCHOR_STATES = tuple(Span.AnchorState.values)
REVIEW_ACTIONS = tuple(Review.Action.values)
ENTITY_KINDS = tuple(Entity.Kind.values)
SHA256_PATTERN = re.compile(r"[0-9a-f]{64}")
# The fields of a source line that hold text: a number or a list there is refused, not
# stored as its string ("1", "[]").
SOURCE_TEXT_FIELDS = ("title", "url", "publisher", "authors", "language", "kind", "reliability", "notes")


def _no_wait() -> None:
    pass


class InvalidLine(ValueError):
    """One line breaks a rule; the message says which."""


@dataclass(frozen=True)
class LineError:
    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


class ImportRefused(Exception):
    """The file has invalid lines; nothing was imported."""

    def __init__(self, errors: list[LineError], total: int) -> None:
        super().__init__(f"{total} invalid line(s); nothing was imported.")
        self.errors = errors
        self.total = total


@dataclass
class ImportReport:
    lines: int = 0
    claims_created: int = 0
    claims_existing: int = 0
    sources_created: int = 0
    sources_existing: int = 0
    entities_created: int = 0
    entities_existing: int = 0
    evidence_created: int = 0
    spans_created: int = 0
    relations_created: int = 0
    relations_existing: int = 0
    originals_stored: int = 0
    originals_missing: int = 0  # known by their hash only: the file was not exported with them
    originals_restored: int = 0  # of sources present, whose stored file was missing or damaged
    # Spans widened to hold whole characters (``--widen-split-characters``): line, offsets
    # given, offsets kept.
    spans_widened: list[tuple[int, tuple[int, int], tuple[int, int]]] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------
# Reading


@dataclass(slots=True)
class Line:
    number: int
    record: dict


# A line is read this much at a time: a line longer than any valid one is counted, never
# held whole (a corrupt 200 MB line had been parsed whole, taking 930 MB, before its
# original was refused).
READ_CHUNK_BYTES = 1024 * 1024


def max_line_bytes() -> int:
    """The longest a valid line can be, its line break left out: a source line with its
    original's bytes in base64 (``MAX_SOURCE_MB`` of them) and its text. A source's text
    has no limit of its own: it is read from an original of at most ``MAX_SOURCE_MB``, or
    sent in a request body of at most ``MAX_BODY_MB`` (with its notes and title); each byte
    of either gives at most one character, and 1 MB more covers the form around a file and
    the line's other fields. orjson writes a character in at most 6 bytes (``\\u001f``)."""
    largest_input = max(ingestion.max_source_bytes(), int(settings.MAX_BODY_MB * 1024 * 1024)) + 1024 * 1024
    return 4 * ((ingestion.max_source_bytes() + 2) // 3) + 6 * largest_input


def _read_lines(handle: IO[bytes], limit: int | None = None) -> Iterator[tuple[int, int, bytes | bytearray | None]]:
    """(number, bytes, the line) for each line; the line is None when it is longer than
    ``limit`` (default ``max_line_bytes``). A line longer than a chunk is measured first,
    a chunk at a time, then read whole if it is not too long: one that is is never held."""
    limit = max_line_bytes() if limit is None else limit
    number = 0
    while raw := handle.readline(READ_CHUNK_BYTES):
        number += 1
        size = len(raw)
        if raw.endswith(b"\n") or size < READ_CHUNK_BYTES:  # nearly every line: read at once
            yield number, size, raw if size - raw.endswith(b"\n") <= limit else None
            continue
        start = handle.tell() - size if handle.seekable() else None
        line: bytearray | None = bytearray(raw) if start is None else None  # orjson reads a bytearray too
        while not raw.endswith(b"\n") and (raw := handle.readline(READ_CHUNK_BYTES)):
            size += len(raw)
            if line is not None:
                line += raw
                if len(line) - line.endswith(b"\n") > limit:
                    line = start = None  # too long: let go of what was read of it
        if start is not None and size - raw.endswith(b"\n") <= limit:
            handle.seek(start)
            line = handle.read(size)
            if len(line) != size:  # shortened since it was measured
                raise OSError(f"line {number} changed while it was read")
        yield number, size, line


def _parse(number: int, raw: bytes | bytearray) -> Line | LineError | None:
    try:
        record = orjson.loads(raw)
    except orjson.JSONDecodeError as error:
        if not raw.strip():
            return None  # a blank line (asked only here: strip copies every line)
        return LineError(number, f"not valid JSON ({error})")
    if not isinstance(record, dict):
        return LineError(number, "a line must hold one JSON object")
    try:
        repeated = repeated_json_key(raw, record)
    except RecursionError:
        return LineError(number, "the JSON nests too deep")
    if repeated is not None:
        return LineError(number, f"the key {repeated!r} is given twice in one object: give each field once")
    record.setdefault("type", line_format.CLAIM)
    if record["type"] not in line_format.TYPES:
        return LineError(number, f"unknown type {record['type']!r} ({', '.join(line_format.TYPES)})")
    unknown = line_format.unknown_fields(record, line_format.FIELDS[record["type"]])
    if unknown:
        return LineError(number, f"unknown field(s) of a {record['type']} line: {', '.join(unknown)}")
    return Line(number, record)


def _batches(handle: IO[bytes], batch_size: int, on_bytes: Callable[[int], None]):
    """Lists of parsed lines and parse errors; a batch ends after ``batch_size`` claims, or
    once its lines pass ``BATCH_BYTES``."""
    batch: list[Line | LineError] = []
    claims = held = 0
    for number, size, raw in _read_lines(handle):
        on_bytes(size)
        if raw is None:
            batch.append(LineError(number, f"{size:,} bytes, longer than any valid line can be "
                                           f"({max_line_bytes():,}, from MAX_SOURCE_MB and MAX_BODY_MB)"))
            continue
        parsed = _parse(number, raw)
        if parsed is None:
            continue
        batch.append(parsed)
        held += size
        if isinstance(parsed, Line) and parsed.record["type"] == "claim":
            claims += 1
        if claims >= batch_size or held >= BATCH_BYTES:
            yield batch
            batch, claims = [], 0
            if held >= BATCH_BYTES:
                # Few, large lines allocate few containers: the collector, paced for an
                # import by their number (``rows.fewer_collections``), would not run before
                # the file's end, and what of the batch a cycle holds would stay till then.
                gc.collect(1)
            held = 0
    if batch:
        yield batch


# ---------------------------------------------------------------------------------------------
# Resolving references


@dataclass(slots=True)
class KnownSource:
    """A source the import knows of: in the database (``id``) or defined by a line of the
    file and not yet saved (``id`` None)."""

    uid: uuid.UUID
    id: int | None
    sha: str
    url: str | None  # its URL's key (``url_key``)


class SourceCache:
    """Sources by uid, and by the SHA-256 of their text or their URL, their texts kept within
    a byte budget (least recently used out first), so that memory does not grow with the
    corpus's texts; each source's identity (uid, id, hash, URL) is kept once seen.

    A source is its uid: two sources may hold the same text. Looked up by its text's hash
    (a line without a uid), the oldest source with that text answers, else the first the
    file defines."""

    def __init__(self, budget: int = SOURCE_CACHE_BYTES) -> None:
        self.barrier: Callable[[], None] = _no_wait  # called before any query (see Resolver)
        self.budget = budget
        self.used = 0
        self.texts: OrderedDict[str, str] = OrderedDict()  # by hash, within the budget
        self.pending_texts: dict[str, str] = {}  # of sources defined in the file, not yet saved
        self.by_uid: dict[uuid.UUID, KnownSource] = {}
        # The uid of each source of ``by_uid`` by its canonical spelling (``str(uid)``, as
        # exports write it): evidence names its source by that string, some twenty times a
        # source, and parsing it costs 2 µs (``known_uid``). A string always parses to the
        # same uid, so an entry never goes stale; other spellings are parsed each time, so
        # that a file cannot grow this past one entry a source.
        self.uid_by_text: dict[str, uuid.UUID] = {}
        self.uid_of_sha: dict[str, uuid.UUID] = {}
        self.uid_of_url: dict[str, uuid.UUID] = {}

    def _know(self, source: KnownSource) -> None:
        self.by_uid[source.uid] = source
        self.uid_by_text[str(source.uid)] = source.uid

    def known_uid(self, value: Any) -> uuid.UUID | None:
        """The uid ``value`` spells, when it is a known source's written as exports write
        it; None otherwise (then the caller parses it, and judges it)."""
        return self.uid_by_text.get(value) if isinstance(value, str) else None

    def _remember_text(self, sha: str, text: str) -> None:
        if sha in self.texts:
            self.texts.move_to_end(sha)
            return
        self.texts[sha] = text
        self.used += len(text)
        while self.used > self.budget and len(self.texts) > 1:
            _, old_text = self.texts.popitem(last=False)
            self.used -= len(old_text)

    def define(self, uid: uuid.UUID, text: str, url: str | None, sha: str) -> None:
        """A source line of the file: known by its uid, hash (``sha``, of ``text``) and URL
        before it is saved."""
        self._know(KnownSource(uid, None, sha, url_key(url) or None))
        self.uid_of_sha.setdefault(sha, uid)
        self.pending_texts.setdefault(sha, text)
        if url:
            self.uid_of_url[url_key(url)] = uid

    def saved(self, source: Source) -> None:
        self.by_uid[source.uid].id = source.pk
        text = self.pending_texts.pop(source.text_sha256, None)
        self._remember_text(source.text_sha256, source.text if text is None else text)

    def load(self, shas: set[str], urls: set[str], uids: set[uuid.UUID] = frozenset()) -> None:
        """Sources by the hash of their text, their URL (any spelling of it: by ``url_key``)
        or their uid, read from the database unless known already."""
        missing_shas = {sha for sha in shas if sha not in self.uid_of_sha}
        missing_urls = {key for key in map(url_key, urls) if key and key not in self.uid_of_url}
        missing_uids = {uid for uid in uids if uid not in self.by_uid}
        if not (missing_shas or missing_urls or missing_uids):
            return
        self.barrier()
        if connection.vendor == "postgresql":
            # Locked as a foreign key locks what it refers to, until the import commits: a
            # source's text cannot change between the moment its spans are anchored here and
            # the commit (``source_update`` waits, then re-anchors them with the rest); an
            # edit under way finishes first, and a source whose text it changed is no longer
            # found by the old text's hash. SQLite's writers wait for the import anyway.
            # Each condition only when it has values.
            wanted = [(f"{column} = ANY(%s::{kind}[])", list(values))
                      for column, kind, values in (("text_sha256", "text", missing_shas), ("url_key", "text", missing_urls),
                                                   ("uid", "uuid", missing_uids)) if values]
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT id, uid, text_sha256, text, url_key FROM {Source._meta.db_table} "
                    f"WHERE {' OR '.join(condition for condition, _ in wanted)} ORDER BY id FOR KEY SHARE",
                    [values for _, values in wanted],
                )
                found = cursor.fetchall()
        else:
            query = Q(text_sha256__in=missing_shas) | Q(url_key__in=missing_urls) | Q(uid__in=missing_uids)
            found = Source.objects.filter(query).order_by("id").values_list("id", "uid", "text_sha256", "text", "url_key")
        for source_id, uid, sha, text, key in found:
            if uid not in self.by_uid:
                self._know(KnownSource(uid, source_id, sha, key or None))
            if sha in missing_shas:  # every source with that text was read: the oldest answers
                self.uid_of_sha.setdefault(sha, uid)
            if key:
                self.uid_of_url.setdefault(key, uid)
            self._remember_text(sha, text)

    def text_of(self, sha: str) -> str:
        """The text whose hash is ``sha`` (of a source known here), read again if the budget
        let it go."""
        if sha in self.pending_texts:
            return self.pending_texts[sha]
        text = self.texts.get(sha)
        if text is None:
            self.barrier()
            text = Source.objects.filter(text_sha256=sha).values_list("text", flat=True).first()
            self._remember_text(sha, text)
        else:
            self.texts.move_to_end(sha)
        return text

    def find(self, uid: uuid.UUID | None = None, sha: str | None = None, url: str | None = None) -> KnownSource | None:
        """The source with ``uid``, else (no source has it) the one with the text ``sha``,
        else the one at ``url``; None if none. Looked up in the database when not known."""
        if uid is not None:
            known = self.by_uid.get(uid)  # one look-up: a uuid.UUID's hash is a call of Python
            if known is None:
                self.load(set(), set(), {uid})
                known = self.by_uid.get(uid)
            if known is not None:
                return known
        if sha is not None:
            if sha not in self.uid_of_sha:
                self.load({sha}, set())
            found = self.uid_of_sha.get(sha)
        elif url is not None:
            key = url_key(url)
            if key not in self.uid_of_url:
                self.load(set(), {url})
            found = self.uid_of_url.get(key)
        else:
            found = None
        return self.by_uid[found] if found is not None else None


class People:
    """Usernames to users, with their roles; a handful of rows, cached for the whole run."""

    def __init__(self) -> None:
        self.barrier: Callable[[], None] = _no_wait  # called before any query (see Resolver)
        self.users: dict[str, Any] = {}
        self.by_id: dict[int, Any] = {}
        self.roles: dict[int, tuple[bool, bool]] = {}

    def roles_of(self, user) -> tuple[bool, bool]:
        """``(is_analyst, is_reviewer)``, asked of the permission backends once per user."""
        # ``id``, not ``pk``: a plain attribute, where ``pk`` is a property (a million reads).
        roles = self.roles.get(user.id)
        if roles is None:
            self.barrier()  # the permission backends read the user's groups
            roles = self.roles[user.id] = (is_analyst(user), is_reviewer(user))
        return roles

    def get(self, username: Any):
        if not isinstance(username, str) or not username:
            return None
        if username not in self.users:
            self.barrier()
            user = get_user_model().objects.filter(username=username).first()
            self.users[username] = user
            if user is not None:
                self.by_id[user.id] = user
        return self.users[username]


@dataclass(slots=True)
class PreparedEvidence:
    source_id: int | None  # None: a source of this batch, written before the claims (by ``source_uid``)
    source_sha: str
    start: int
    end: int
    quote: str
    prefix: str
    suffix: str
    anchor_state: str
    stance: str
    note: str
    span_uid: uuid.UUID | None = None
    added_by_id: int | None = None
    source_uid: uuid.UUID | None = None
    created_at: dt.datetime | None = None  # the evidence's
    span_created_by_id: int | None = None
    span_created_at: dt.datetime | None = None
    span_updated_at: dt.datetime | None = None
    # An orphaned span's re-anchoring suggestion (``line_format.SUGGESTION_FIELDS``).
    suggested_start: int | None = None
    suggested_end: int | None = None
    suggestion_score: float | None = None


@dataclass(frozen=True)
class SpanFields:
    """How a line spells a span's fields, so that a message names the field as the line
    gives it: an evidence item names its span's own with ``span_`` (its ``created_at`` is
    the evidence's), a span line is the span; ``source``: the fields that may name the
    source, in the order they are tried."""

    uid: str
    created_by: str
    created_at: str
    updated_at: str
    source: tuple[str, ...]


_SOURCE_NAMES = ("source_uid", "source_sha256", "source_url")
EVIDENCE_SPAN_FIELDS = SpanFields(
    "span_uid", "span_created_by", "span_created_at", "span_updated_at",
    tuple(name for name in _SOURCE_NAMES if name in line_format.EVIDENCE_FIELDS),
)
SPAN_LINE_FIELDS = SpanFields(
    "uid", "created_by", "created_at", "updated_at",
    tuple(name for name in _SOURCE_NAMES if name in line_format.SPAN_FIELDS),
)


@dataclass(slots=True)
class PreparedClaim:
    author_id: int
    fields: dict
    entity_slugs: list[str]
    evidence: list[PreparedEvidence]
    reviews: list[tuple]  # REVIEW_FIELDS
    timestamps: dict = field(default_factory=dict)
    line: int = 0
    supersedes: uuid.UUID | None = None  # the uid of the claim this one corrects
    contributor_ids: list[int] = field(default_factory=list)
    contributor_dates: dict[int, dt.datetime | None] = field(default_factory=dict)  # from ``contributed_at``


@dataclass(slots=True)
class PreparedRelation:
    line: int
    from_uid: uuid.UUID
    to_uid: uuid.UUID
    kind: str
    note: str
    created_by_id: int | None
    created_at: dt.datetime | None


def _text(record: dict, name: str, default: str = "", required: bool = False, limit: int | None = None) -> str:
    value = record.get(name, default)
    if value is None:
        value = default
    if not isinstance(value, str):
        raise InvalidLine(f"{name} must be a string")
    problem = text_problem(value)
    if problem is not None:
        raise InvalidLine(f"{name}: {problem}")
    if required and not value:
        raise InvalidLine(f"{name} is required")
    if limit is not None and len(value) > limit:
        raise InvalidLine(f"{name} is longer than {limit} characters ({len(value)})")
    return value


def _choice(record: dict, name: str, choices, default: str) -> str:
    """One of ``choices``, ``default`` when the field is absent, null or empty (and the
    default must be one of them too). Any other value (a number, a list) is refused, never
    read as the default."""
    value = record.get(name)
    if value is None or value == "":
        value = default
    if not isinstance(value, str) or value not in choices:
        raise InvalidLine(f"{name} {value!r} is not one of {', '.join(choice for choice in choices if choice)}")
    return value


def _original_charset(record: dict, media_type: str) -> str:
    """The encoding a source line says its original's text was read in, by its name
    (``encoding.Encoding.charset``; any of its labels is read as it: ``latin1`` is
    windows-1252); "" when the line gives none (written before charsets travelled, or an
    original stored before they were kept). A PDF's has none."""
    value = record.get("original_charset")
    if value in (None, ""):
        return ""
    named = for_label(value) if isinstance(value, str) else None
    if named is None:
        raise InvalidLine(
            f"original_charset {value!r} names no encoding (the one the original's text was read in, "
            "as the Encoding Standard names it: utf-8, windows-1252, koi8-r...)"
        )
    if media_type == PDF:
        raise InvalidLine("original_charset: a PDF original has no charset")
    return named.charset


def _list(record: dict, name: str, what: str) -> list:
    """A list field: absent or null is empty; anything but a list is refused."""
    value = record.get(name)
    if value is None:
        return []
    if not isinstance(value, list):
        raise InvalidLine(f"{name} must be a list of {what}")
    return value


def _date(record: dict, name: str) -> dt.date | None:
    value = record.get(name)
    if value in (None, ""):
        return None
    try:
        parsed = parse_date(value) if isinstance(value, str) else None
    except ValueError:  # well formed, but no such day ("2020-02-30")
        parsed = None
    if parsed is None:
        raise InvalidLine(f"{name} must be a date (YYYY-MM-DD), not {value!r}")
    return parsed


def _datetime(record: dict, name: str) -> dt.datetime | None:
    value = record.get(name)
    if value in (None, ""):
        return None
    try:
        # ISO 8601 as exports write it; Django's parser for anything else it accepts.
        parsed = dt.datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        try:
            parsed = parse_datetime(value)
        except ValueError:
            parsed = None
    if parsed is None:
        raise InvalidLine(f"{name} must be an ISO 8601 date and time, not {value!r}")
    if parsed.tzinfo is None:
        # Which moment a time without its offset means depends on where it was written.
        raise InvalidLine(f"{name} {value!r} has no UTC offset: write it as exports do (…+00:00)")
    try:
        # Stored in UTC: a time near the ends of the calendar may not exist there.
        return parsed.astimezone(dt.UTC)
    except OverflowError:
        raise InvalidLine(f"{name} {value!r} is out of range once in UTC") from None


# The earliest moment shown in every time zone (UTC-12 is a day behind at the calendar's start).
SHOWN_EVERYWHERE = dt.datetime(1, 1, 2, tzinfo=dt.UTC)


def _uid(record: dict, name: str) -> uuid.UUID | None:
    value = record.get(name)
    if value in (None, ""):
        return None
    try:
        if isinstance(value, str):
            return uuid.UUID(value)
    except ValueError:
        pass
    raise InvalidLine(f"{name} must be a UUID, not {value!r}")


def _valid_uid(value: Any) -> uuid.UUID | None:
    """``value`` as a UUID, None if it is not one (the line's check says so)."""
    try:
        return uuid.UUID(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _source_keys(item: dict, uids: set, shas: set, urls: set, sources: SourceCache) -> None:
    """Add what ``item`` (evidence, or a span line) names its source by to the look-ups: its
    uid, and its text's hash or URL only without one (the fallback is read when needed)."""
    uid = sources.known_uid(item.get("source_uid"))
    if uid is None:
        uid = _valid_uid(item.get("source_uid"))
    if uid is not None:
        uids.add(uid)
    elif isinstance(item.get("source_sha256"), str):
        shas.add(item["source_sha256"])
    elif isinstance(item.get("source_url"), str):
        urls.add(item["source_url"])


def _entities_held(slugs: set[str]) -> list[tuple]:
    """``(slug, id, name, kind)`` of the entities with these slugs. PostgreSQL: held FOR
    SHARE until the import commits, as an approval holds what its claim shows: a published
    claim the import tags with one must not show an analyst's rename made meanwhile (the
    foreign key's KEY SHARE lets ``entity_update``'s NO KEY UPDATE through; SHARE does not).
    Sources need nothing more: ``SourceCache.load`` holds them FOR KEY SHARE, which an
    edit's FOR UPDATE waits for."""
    if connection.vendor != "postgresql":
        return list(Entity.objects.filter(slug__in=slugs).values_list("slug", "id", "name", "kind"))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT slug, id, name, kind FROM {connection.ops.quote_name(Entity._meta.db_table)} "
            "WHERE slug = ANY(%s::text[]) ORDER BY id FOR SHARE",
            [sorted(slugs)],
        )
        return cursor.fetchall()


def _offset(item: dict, name: str) -> int | None:
    """An offset as the line gives it: an integer the database's column holds (the rows go
    in by binary COPY, which would wrap a larger one, not refuse it)."""
    value = item.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidLine(f"{name} must be an integer")
    if not 0 <= value <= MAX_OFFSET:
        raise InvalidLine(f"{name} {value} is out of range: 0 to {MAX_OFFSET:,}")
    return value


def _suggestion(item: dict, text: str, dropped: list[int] | None) -> tuple:
    """An orphaned span's re-anchoring suggestion, ``(start, end, score)``, all None when the
    line gives none: a passage of the source's text (offsets counted as the line's others,
    carried into the stored text like them) and a score from 0 to 100."""
    given = [item.get(name) for name in line_format.SUGGESTION_FIELDS]
    if all(value is None for value in given):
        return (None, None, None)
    if any(value is None for value in given):
        raise InvalidLine(f"a suggestion gives all of {', '.join(line_format.SUGGESTION_FIELDS)} or none of them")
    start, end = _offset(item, "suggested_start"), _offset(item, "suggested_end")
    score = given[2]
    if isinstance(score, bool) or not isinstance(score, (int, float)) or not 0 <= score <= 100:
        raise InvalidLine(f"suggestion_score must be a number from 0 to 100, not {score!r}")
    if dropped is not None:
        start, end = anchoring.lf_offsets(dropped, start, end)
    if not 0 <= start < end <= len(text):
        raise InvalidLine(
            f"the suggestion [{start}, {end}) is not a passage of the source's text, which has {len(text):,} characters"
        )
    return (start, end, float(score))


def _original_bytes(encoded: Any, sha: str, size: int) -> bytes:
    """The bytes a source line's ``original`` gives in base64, checked against the hash
    and size it names (the size first: a huge one is refused before it is decoded)."""
    if not isinstance(encoded, str):
        raise InvalidLine("original must be the file's bytes in base64")
    if isinstance(size, bool) or not isinstance(size, int) or size < 0:
        raise InvalidLine("original_size must be a number of bytes")
    if size > ingestion.max_source_bytes():
        raise InvalidLine(f"original: {size:,} bytes, larger than the limit of MAX_SOURCE_MB")
    expected = 4 * ((size + 2) // 3)  # what base64 of ``size`` bytes takes
    if len(encoded) != expected:
        raise InvalidLine(
            f"original: {len(encoded):,} base64 characters, not the {expected:,} of original_size {size:,} bytes"
        )
    try:
        data = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidLine("original must be the file's bytes in base64") from None
    if len(data) != size or hashlib.sha256(data).hexdigest() != sha:
        raise InvalidLine("original: its bytes do not match original_sha256 and original_size")
    return data


class Resolver:
    """Turns records into checked, resolved claims.

    The checks query the database only for what ``prefetch`` could not know in advance (a
    user not seen before, a source the cache let go of), and call ``barrier`` first: the
    importer's writer thread may be using the connection (``claims.transfer.importing``).
    """

    def __init__(self, *, widen_split_characters: bool = False) -> None:
        # Spans of a file written before the whole-character rule, widened on request to
        # hold the characters they begin or end inside: (line, offsets given, offsets kept).
        self.widen_split_characters = widen_split_characters
        self.widened: list[tuple[int, tuple[int, int], tuple[int, int]]] = []
        self.people = People()
        self.sources = SourceCache()
        self.entity_ids: dict[str, int] = {}
        self.pending_entities: set[str] = set()
        self.source_lines: dict[uuid.UUID, int] = {}  # the line of each source uid in the file
        # The name and kind of each entity slug a line of the file defines, and its line;
        # those of the database's entities the batch's entity lines name.
        self.entity_lines: dict[str, tuple[int, str, str]] = {}
        self.entity_fields: dict[str, tuple[str, str]] = {}
        self.original_shas: dict[str, str] = {}  # originals already taken: by whom
        self.stored_originals: list[str] = []  # the files this import wrote into storage
        self.originals_restored = 0  # present sources' originals stored again (``_restore_original``)
        self.claim_lines: dict[uuid.UUID, int] = {}  # the line of each claim uid in the file
        # For each span uid in the file (as an int), the line that first gives it and a digest
        # of its passage (source, offsets, state, quote). A digest, not the passage: kept for
        # the whole file, passages grew the import by 100 MB a hundred thousand claims. Keyed
        # at random each run (``passage_key``) and 128 bits long: a file cannot make two
        # passages collide (Python's ``hash`` of the tuple could be made to: a uid and offsets
        # hash as plain numbers).
        self.span_passages: dict[int, tuple[int, bytes]] = {}
        # A source's text is stored with LF breaks, however it is given: a source line whose
        # text holds CR is read with LF breaks (``prefetch``), and what the file places in it
        # by offsets is carried over (``anchoring.lf_offsets``). By line: the CRs dropped and
        # the hash of the text as the file gives it; by source uid, once known: the CRs.
        self.crlf_lines: dict[int, tuple[list[int], str]] = {}
        # The hash of each source line's text (with LF breaks), by line: ``prefetch`` hashes
        # it to look the source up, ``check_source`` needs it again (8 KB: 10 µs a hash).
        # The text is the line's, which nothing changes after ``prefetch``.
        self.text_shas: dict[int, str] = {}
        # Which text what the file places by offsets counts in (``_frame``): by the hash
        # evidence names (the CRs dropped from the text given with that hash), else by the
        # source (the CRs of the first line that gave it; None: none to carry over).
        self.breaks_of_sha: dict[str, list[int]] = {}  # lone CRs only: an empty list
        self.dropped_breaks: dict[uuid.UUID, list[int] | None] = {}
        self.given_shas: dict[uuid.UUID, set[str]] = {}  # the hashes of its text as the file gave it
        # Keys the hashes of span passages (``span_passages``): a file cannot choose values
        # whose hashes collide.
        self.passage_key = os.urandom(16)

    @property
    def barrier(self) -> Callable[[], None]:
        return self.people.barrier

    @barrier.setter
    def barrier(self, wait: Callable[[], None]) -> None:
        self.people.barrier = self.sources.barrier = wait

    # -- sources and entities lines --

    def check_source(self, line: Line) -> dict | None:
        """A source line, checked as ``source_create`` checks a source; None when the source
        is already there. A line with a uid is that source: present when the database holds
        the uid (with the same text), else new, whatever other source holds the same text. A
        line without one is present when a source holds its text."""
        record = line.record
        text = record.get("text")
        hashed = self.text_shas.pop(line.number, None)
        problem = source_text_problem(text)  # what source_create accepts, exactly
        if problem is not None:
            raise InvalidLine(problem)
        fields = {name: record[name] for name in SOURCE_FIELDS if record.get(name) not in (None,)}
        for name in SOURCE_TEXT_FIELDS:
            if name in fields and not isinstance(fields[name], str):
                raise InvalidLine(f"{name} must be a string, not {fields[name]!r}")
        for name in ("published_on",):
            if name in fields:
                fields[name] = _date(record, name)
        if "retrieved_at" in fields:
            fields["retrieved_at"] = _datetime(record, "retrieved_at")
            if fields["retrieved_at"] is not None and fields["retrieved_at"] < SHOWN_EVERYWHERE:
                # Restored as exported, however old, but for a moment no time zone west of
                # UTC can show (the first day of year 1): the source list failed for everybody.
                raise InvalidLine(
                    f"retrieved_at {fields['retrieved_at'].isoformat()} is too early to be shown in every time zone"
                )
        if not fields.get("url"):
            fields.pop("url", None)
        fields.setdefault("title", "")
        uid = _uid(record, "uid")
        probe = Source(text=text, **fields)
        try:
            refuse_unstorable_text(probe)
            probe.full_clean(exclude=["created_by", "uid"], validate_unique=False, validate_constraints=False)
        except InvalidInput as error:
            raise InvalidLine(error.message) from error
        except Exception as error:  # ValidationError, with per-field messages
            messages = getattr(error, "message_dict", None) or {"source": [str(error)]}
            raise InvalidLine(
                "; ".join(f"{key}: {' '.join(value)}" for key, value in messages.items())
            ) from error
        created_by = None
        if record.get("created_by") not in (None, ""):
            created_by = self._user(record.get("created_by"), "created_by").id
        dates = {name: _datetime(record, name) for name in ("created_at", "updated_at")}
        sha, url = hashed or sha256_of(text), fields.get("url")
        dropped, given_sha = self.crlf_lines.pop(line.number, (None, sha))
        # The batch's sources were read by ``prefetch``: no query per line.
        owner_of_url = self.sources.uid_of_url.get(url_key(url)) if url else None
        if uid is not None:
            first = self.source_lines.setdefault(uid, line.number)
            if first != line.number:
                raise InvalidLine(f"uid {uid} is also the uid of the source on line {first}: a file holds each source once")
            known = self.sources.by_uid.get(uid)
            if known is not None:  # in the database (a line above would have been caught above)
                if known.sha not in (sha, given_sha):
                    raise InvalidLine(f"uid {uid} belongs to a source with a different text")
                self._remember_breaks(uid, dropped if known.sha == sha else None, given_sha)
                self._restore_original(record, known)
                return None
            if owner_of_url is not None:
                raise InvalidLine(f"url {url} belongs to another source ({owner_of_url})")
        else:
            for stored_sha, breaks in ((sha, dropped), (given_sha, None)):
                if stored_sha in self.sources.uid_of_sha:  # in the database, or defined above
                    self._remember_breaks(self.sources.uid_of_sha[stored_sha], breaks, given_sha)
                    return None
            if owner_of_url is not None:
                raise InvalidLine(f"url {url} belongs to a source with a different text")
            uid = uuid.uuid4()
        original = self._check_original(record)
        self.sources.define(uid, text, url, sha)
        self._remember_breaks(uid, dropped, given_sha)
        return {"text": text, "uid": uid, **fields, **original, "created_by_id": created_by,
                **{name: value for name, value in dates.items() if value is not None}}

    def _remember_breaks(self, uid: uuid.UUID, dropped: list[int] | None, given_sha: str) -> None:
        """The source ``uid`` is the one a source line gave: what the file places in it by
        offsets counts the CRs ``dropped`` (None: the text is stored as the file gives it,
        with LF breaks, or with CR LF before the LF rule; an empty list: lone CRs made LF),
        and evidence may name it by the hash of the text as given (an export of a database
        that stored CR LF sends that hash with each source uid). Evidence that names that
        hash counts in that text; evidence that names the source by its uid alone, in the
        text of the first line that gave it (a later line with other breaks moves nothing)."""
        self.dropped_breaks.setdefault(uid, dropped)
        if dropped is not None:
            self.breaks_of_sha.setdefault(given_sha, dropped)
        self.given_shas.setdefault(uid, set()).add(given_sha)
        self.sources.uid_of_sha.setdefault(given_sha, uid)

    def _check_original(self, record: dict) -> dict:
        """The original file a source line names: its hash, media type, charset and size, and
        its bytes when the line carries them (checked against the hash, then stored at once,
        content-addressed, so that a file of many originals is not held in memory; a
        refused import deletes those it wrote, ``stored_originals``)."""
        sha = record.get("original_sha256")
        if sha in (None, ""):
            if any(record.get(name) not in (None, "") for name in ("original", "original_media_type", "original_charset", "original_size")):
                raise InvalidLine("an original needs its original_sha256")
            return {}
        if not isinstance(sha, str) or not SHA256_PATTERN.fullmatch(sha):
            raise InvalidLine("original_sha256 must be 64 lowercase hexadecimal digits")
        media_type = record.get("original_media_type")
        if media_type not in ingestion.MEDIA_TYPES:
            raise InvalidLine(f"original_media_type {media_type!r} is not one of {', '.join(ingestion.MEDIA_TYPES)}")
        charset = _original_charset(record, media_type)
        size = record.get("original_size")
        if isinstance(size, bool) or not isinstance(size, int) or size < 0:
            raise InvalidLine("original_size must be a number of bytes")
        if sha in self.original_shas:
            raise InvalidLine(f"original {sha} belongs to {self.original_shas[sha]}")
        encoded = record.get("original")
        if encoded is None:
            name = ingestion.original_name(sha, media_type)
            found = default_storage.exists(name) and default_storage.size(name) == size
            self.original_shas[sha] = "another source line"
            return {"original": name if found else "", "original_sha256": sha,
                    "original_media_type": media_type, "original_charset": charset, "original_size": size}
        data = _original_bytes(encoded, sha, size)
        written = not default_storage.exists(ingestion.original_name(sha, media_type))
        name = ingestion.store_original(io.BytesIO(data), sha256=sha, size=len(data), media_type=media_type)
        if written:
            self.stored_originals.append(name)
        self.original_shas[sha] = "another source line"
        return {"original": name, "original_sha256": sha, "original_media_type": media_type,
                "original_charset": charset, "original_size": size, "original_stored": True}

    def _restore_original(self, record: dict, known: KnownSource) -> None:
        """A source line of a source already present that carries its original's bytes
        (``export_claims --with-originals``, the natural backup of the storage) stores them
        again when the stored file is missing or damaged, as an upload of the same bytes
        would. Only the bytes of the hash the source records: a line naming another hash
        changes nothing (a good original is never replaced by other bytes), and bytes that
        do not match their hash are a line error. A whole original is left alone."""
        encoded = record.get("original")
        if encoded is None or known.id is None or record.get("original_sha256") in (None, ""):
            return
        self.barrier()
        source = Source.objects.only(
            "id", "original", "original_sha256", "original_media_type", "original_size"
        ).get(pk=known.id)
        if record["original_sha256"] != source.original_sha256:
            return
        if ingestion.original_problem(source) not in ("missing", "damaged"):
            return  # whole, or the storage did not answer (``check_originals`` names it)
        data = _original_bytes(encoded, source.original_sha256, source.original_size)
        ingestion.store_original(io.BytesIO(data), sha256=source.original_sha256, size=source.original_size,
                                 media_type=source.original_media_type)
        if not source.original:
            ingestion.original_problem(source)  # known by its hash only: it takes the file now stored
        self.originals_restored += 1

    def check_entity(self, line: Line) -> dict | None:
        """An entity line; None when the entity is there already (the database or a line
        above holds its slug with the same name and kind). The same slug with another name
        or kind is a line error: one of the two would be lost."""
        record = line.record
        values = {
            "slug": _text(record, "slug", required=True, limit=300),
            "name": _text(record, "name", required=True, limit=300),
            "kind": _choice(record, "kind", ENTITY_KINDS, Entity.Kind.OTHER),
            "wikidata_id": _text(record, "wikidata_id", limit=20),
            "aliases": _list(record, "aliases", "strings"),
        }
        aliases = values["aliases"]
        if not all(isinstance(alias, str) and "\x00" not in alias for alias in aliases):
            raise InvalidLine("aliases must be a list of strings without null characters")
        probe = Entity(**values)
        try:
            probe.full_clean(validate_unique=False, validate_constraints=False)
        except Exception as error:
            messages = getattr(error, "message_dict", None) or {"entity": [str(error)]}
            raise InvalidLine(
                "; ".join(f"{key}: {' '.join(value)}" for key, value in messages.items())
            ) from error
        slug, name, kind = values["slug"], values["name"], values["kind"]
        first = self.entity_lines.setdefault(slug, (line.number, name, kind))
        if first[0] != line.number:
            if first[1:] != (name, kind):
                raise InvalidLine(
                    f"entity {slug!r} is defined on line {first[0]} as {first[1]!r} ({first[2]}), not {name!r} ({kind})"
                )
            return None
        known = self.entity_fields.get(slug)
        if known is not None:
            if known != (name, kind):
                del self.entity_lines[slug]
                raise InvalidLine(f"entity {slug!r} exists as {known[0]!r} ({known[1]}), not {name!r} ({kind})")
            return None
        self.pending_entities.add(slug)
        return values

    # -- claims --

    def prefetch(self, lines: list[Line]) -> None:
        """One query per kind of reference for the whole batch (none for what is cached)."""
        shas, urls, slugs, source_uids, original_shas, entity_slugs = set(), set(), set(), set(), set(), set()
        for line in lines:
            record = line.record
            kind = record["type"]
            if kind == "source":
                if isinstance(record.get("original_sha256"), str):
                    original_shas.add(record["original_sha256"])
                if (uid := _valid_uid(record.get("uid"))) is not None:
                    source_uids.add(uid)
                if isinstance(record.get("text"), str):
                    if "\r" in record["text"]:
                        given = record["text"]
                        record["text"], dropped = anchoring.with_lf_breaks(given)
                        self.crlf_lines[line.number] = (dropped, sha256_of(given))
                        shas.add(self.crlf_lines[line.number][1])  # stored as given before this rule?
                    self.text_shas[line.number] = sha256_of(record["text"])
                    shas.add(self.text_shas[line.number])
                if isinstance(record.get("url"), str):
                    urls.add(record["url"])
            elif kind == "entity":
                if isinstance(record.get("slug"), str) and record["slug"] not in self.entity_lines:
                    entity_slugs.add(record["slug"])
            elif kind == "span":
                _source_keys(record, source_uids, shas, urls, self.sources)
            if kind != "claim":
                continue
            evidence, slugs_named = record.get("evidence"), record.get("entities")
            for item in evidence if isinstance(evidence, list) else ():
                if isinstance(item, dict):
                    _source_keys(item, source_uids, shas, urls, self.sources)
            for slug in slugs_named if isinstance(slugs_named, list) else ():
                if isinstance(slug, str) and slug not in self.entity_ids:
                    slugs.add(slug)
        self.sources.load(shas, urls, source_uids)
        self.entity_fields = {}
        if slugs or entity_slugs:
            self.barrier()
            for slug, pk, name, kind in _entities_held(slugs | entity_slugs):
                self.entity_ids[slug] = pk
                self.entity_fields[slug] = (name, kind)
        if original_shas:
            self.barrier()
            self.original_shas.update(
                (sha, f"source #{pk}")
                for sha, pk in Source.objects.filter(original_sha256__in=original_shas).values_list("original_sha256", "pk")
            )

    def _user(self, value: Any, what: str):
        user = self.people.get(value)
        if user is None:
            raise InvalidLine(f"{what} {value!r} is not a user")
        return user

    def check_claim(self, line: Line) -> PreparedClaim:
        """A claim line, checked by the predicates the services enforce (``claims.rules``):
        what its status needs, the four-eyes rule, and a moderation log that agrees with
        the status and the workflow."""
        record = line.record
        author = self._user(record.get("author"), "author")
        if not self.people.roles_of(author)[0]:
            raise InvalidLine(f"author {author.username!r} is neither an analyst nor a reviewer")
        text = _text(record, "text", required=True, limit=CLAIM_TEXT_MAX_LENGTH)
        try:
            readable(text)  # the claim's text field's own rule
        except ValidationError as error:
            raise InvalidLine(f"text: {error.messages[0]}") from None
        status = _choice(record, "status", STATUSES, Status.DRAFT)
        verdict = _choice(record, "verdict", VERDICTS, Verdict.UNVERIFIED)
        confidence = _choice(record, "confidence", ("", *CONFIDENCES), "")
        period_start, period_end = _date(record, "period_start"), _date(record, "period_end")
        if (problem := rules.period_problem(period_start, period_end)) is not None:
            raise InvalidLine(problem.message)
        contributor_names = _list(record, "contributors", "usernames")
        contributed_at = _list(record, "contributed_at", "dates and times")
        if contributed_at and len(contributed_at) != len(contributor_names):
            raise InvalidLine("contributed_at must give one date and time per contributor")
        contributor_ids = [author.id]
        contributor_dates: dict[int, dt.datetime | None] = {}
        named = set()
        for index, name in enumerate(contributor_names):
            user = self._user(name, "contributor")
            if user.id in named:
                # Named twice with two dates, the later one chose which decisions it bound.
                raise InvalidLine(f"contributors names {user.username!r} twice")
            named.add(user.id)
            if user.id not in contributor_ids:
                contributor_ids.append(user.id)
            if contributed_at:
                contributor_dates[user.id] = _datetime({"contributed_at": contributed_at[index]}, "contributed_at")
        reviewer = None
        if record.get("reviewer") not in (None, ""):
            reviewer = self._user(record.get("reviewer"), "reviewer")
            if not self.people.roles_of(reviewer)[1]:
                raise InvalidLine(f"reviewer {reviewer.username!r} is not a reviewer")
        version = record.get("version", 1)
        if isinstance(version, bool) or not isinstance(version, int) or not 1 <= version < 2**31:
            raise InvalidLine("version must be a positive integer")

        slugs = _list(record, "entities", "slugs")
        for slug in slugs:
            if not isinstance(slug, str):
                raise InvalidLine(f"entities must be a list of slugs, not {slug!r}")
            if slug not in self.entity_ids and slug not in self.pending_entities:
                raise InvalidLine(f"entity {slug!r} does not exist")

        items = _list(record, "evidence", "evidence items")
        evidence = []
        seen = set()
        for index, item in enumerate(items):
            try:
                prepared = self._check_evidence(item, author, line.number)
            except (InvalidLine, anchoring.AnchoringError) as error:
                raise InvalidLine(f"evidence[{index}]: {error}") from error
            # Two sources with the same text are two sources: the same words in each are two spans.
            key = (prepared.source_uid, prepared.start, prepared.end, prepared.anchor_state)
            if key in seen or (prepared.span_uid is not None and prepared.span_uid in seen):
                raise InvalidLine(f"evidence[{index}]: the same span is cited twice")
            seen.update((key, prepared.span_uid))
            evidence.append(prepared)
        # Whoever added evidence changed the claim's content: a contributor, from when they
        # added it at the latest (the four-eyes check below reads that date, which a later
        # ``contributed_at`` cannot push past the evidence; the stored date is the file's).
        contributed_since = dict(contributor_dates)
        for prepared in evidence:
            if prepared.added_by_id not in contributor_ids:
                contributor_ids.append(prepared.added_by_id)
            since = contributed_since.get(prepared.added_by_id)
            if prepared.created_at is not None and since is not None and prepared.created_at < since:
                contributed_since[prepared.added_by_id] = prepared.created_at
        reviews = [self._check_review(index, item) for index, item in enumerate(_list(record, "reviews", "reviews"))]

        def contributed_by(actor_id: int, when: dt.datetime | None) -> bool:
            """Whether ``actor_id`` had contributed by ``when`` (a contribution or a step of
            unknown date counts as earlier)."""
            if actor_id not in contributor_ids:
                return False
            since = contributed_since.get(actor_id)
            return since is None or when is None or since <= when

        dated = [(index, created_at) for index, (*_, created_at) in enumerate(reviews) if created_at is not None]
        for (_, earlier), (index, later) in zip(dated, dated[1:]):
            if later < earlier:
                # The four-eyes check reads contributions against the log's dates: they go
                # forward, as the workflow wrote them.
                raise InvalidLine(f"reviews[{index}] is dated before the entry above it: a log is in time order")

        late = rules.late_evidence_problem(
            status=status,
            log=[(to_status, created_at) for *_, to_status, _, created_at in reviews],
            evidence_dates=[prepared.created_at for prepared in evidence],
            submitted_at=_datetime(record, "submitted_at"),
        )
        if late is not None:
            raise InvalidLine(late.message)
        if reviewer is not None:
            decided = [created_at for actor_id, action, *_, created_at in reviews
                       if actor_id == reviewer.id and action in rules.REVIEWER_ACTIONS]
            if contributed_by(reviewer.id, decided[-1] if decided else None):
                raise InvalidLine(f"four-eyes rule: the reviewer {reviewer.username!r} contributed to the claim")
        if status in rules.DECIDED_STATUSES and reviewer is None:
            raise InvalidLine(f"a {status} claim needs its reviewer")
        if status in SUBMITTED_CONTENT_STATUSES:
            # Its content is what was submitted (and approved): what submission checks holds.
            problems = rules.approval_problems(
                verdict=verdict, confidence=confidence, stances=[item.stance for item in evidence]
            )
            if problems:
                raise InvalidLine(f"a {status} claim: " + rules.summarize(problems, "submission").message)
        elif status != Status.DRAFT and not evidence:
            raise InvalidLine(f"a {status} claim needs at least one evidence item")

        timestamps = {
            name: _datetime(record, name)
            for name in ("created_at", "updated_at", "submitted_at", "published_at")
        }
        if status == Status.PUBLISHED and timestamps["published_at"] is None:
            raise InvalidLine("a published claim needs its published_at")
        roles = {actor_id: self.people.roles_of(self.people.by_id[actor_id]) for actor_id, *_ in reviews}
        entries = [
            rules.LogEntry(actor_id, action, from_status, to_status, contributed_by(actor_id, created_at))
            for actor_id, action, from_status, to_status, _, created_at in reviews
        ]
        reviewer_ids = {actor_id for actor_id, (_, reviewing) in roles.items() if reviewing}
        problems = rules.log_problems(
            status=status,
            entries=entries,
            author_id=author.id,
            contributor_ids=set(contributor_ids),
            reviewer_ids=reviewer_ids,
        ) + rules.log_entry_problems(
            entries=entries,
            comments=[review[4] for review in reviews],
            author_id=author.id,
            contributor_ids=set(contributor_ids),
            reviewer_ids=reviewer_ids,
            reviewer_id=reviewer.id if reviewer else None,
        )
        if problems:
            raise InvalidLine("; ".join(problem.message for problem in problems))
        uid = _uid(record, "uid")
        supersedes = _uid(record, "supersedes")
        if supersedes is not None and supersedes == uid:
            raise InvalidLine("a claim cannot supersede itself")
        if uid is not None:
            # A second line with the same uid would be skipped as already present, its
            # content lost without a word.
            first = self.claim_lines.setdefault(uid, line.number)
            if first != line.number:
                raise InvalidLine(f"uid {uid} is also the uid of the claim on line {first}: a file holds each claim once")
        fields = {
            "uid": uid,
            "text": text,
            "status": status,
            "verdict": verdict,
            "confidence": confidence,
            "period_start": period_start,
            "period_end": period_end,
            "notes": _text(record, "notes", limit=NOTES_MAX_LENGTH),
            "reviewer_id": reviewer.id if reviewer else None,
            "version": version,
            "submitted_at": timestamps["submitted_at"],
            "published_at": timestamps["published_at"],
            "needs_attention": any(item.anchor_state == Span.AnchorState.ORPHANED for item in evidence),
        }
        return PreparedClaim(
            author_id=author.id,
            fields=fields,
            entity_slugs=list(dict.fromkeys(slugs)),
            evidence=evidence,
            reviews=reviews,
            timestamps={name: timestamps[name] for name in ("created_at", "updated_at") if timestamps[name]},
            line=line.number,
            supersedes=supersedes,
            contributor_ids=contributor_ids,
            contributor_dates=contributor_dates,
        )

    def check_relation(self, line: Line) -> PreparedRelation:
        """A relation line, as far as it can be checked alone (the claims it names may come
        further down the file: the importer resolves them once every claim is in)."""
        record = line.record
        from_uid, to_uid = _uid(record, "from_claim"), _uid(record, "to_claim")
        if from_uid is None or to_uid is None:
            raise InvalidLine("a relation names its claims by uid: from_claim and to_claim")
        kind, note = record.get("kind"), _text(record, "note")
        problem = rules.relation_problem(from_id=from_uid, to_id=to_uid, kind=kind, note=note)
        if problem is not None:
            raise InvalidLine(f"{problem.field}: {problem.message}")
        created_by = None
        if record.get("created_by") not in (None, ""):
            created_by = self._user(record.get("created_by"), "created_by").id
        return PreparedRelation(line.number, from_uid, to_uid, kind, note, created_by, _datetime(record, "created_at"))

    def _check_evidence(self, item: Any, author, line: int) -> PreparedEvidence:
        """An evidence item of a claim line: its span (``_check_passage``), its stance, note
        and who added it (the claim's author unless it says)."""
        if not isinstance(item, dict):
            raise InvalidLine("must be an object")
        unknown = line_format.unknown_fields(item, line_format.EVIDENCE_FIELDS)
        if unknown:
            raise InvalidLine(f"unknown field(s): {', '.join(unknown)}")
        added_by = author if item.get("added_by") in (None, "") else self._user(item.get("added_by"), "added_by")
        stance = _choice(item, "stance", STANCES, Stance.SUPPORTS)
        evidence = self._check_passage(item, line, EVIDENCE_SPAN_FIELDS)
        evidence.stance = stance
        evidence.note = _text(item, "note", limit=NOTE_MAX_LENGTH)
        evidence.added_by_id = added_by.id
        evidence.created_at = _datetime(item, "created_at")
        return evidence

    def check_span(self, line: Line) -> PreparedEvidence:
        """A span line (a passage no claim cites), checked as evidence's span is: its source,
        its offsets against the text (or its quote found in it), one passage per uid."""
        if _uid(line.record, "uid") is None:
            raise InvalidLine("a span line needs its uid")
        return self._check_passage(line.record, line.number, SPAN_LINE_FIELDS)

    def _check_passage(self, item: dict, line: int, names: SpanFields) -> PreparedEvidence:
        """The span an evidence item or a span line gives, its fields read (and named in
        messages) as ``names`` spells them: its source, its passage anchored as the API's
        span creation anchors one (``anchoring.resolve_offsets`` or ``resolve_quote``: a
        quote or a prefix/suffix sent along with offsets must agree with the text there),
        one passage per uid, who created it and when. An orphaned span keeps what it gives.
        The evidence's own fields are left at their defaults."""
        source = self._source_of(item, names)
        source_id, sha, text = source.id, source.sha, self.sources.text_of(source.sha)
        quote = item.get("quote")
        if quote is not None and not isinstance(quote, str):
            raise InvalidLine("quote must be a string")
        prefix, suffix = _text(item, "prefix"), _text(item, "suffix")
        start, end = _offset(item, "start"), _offset(item, "end")
        occurrence = item.get("occurrence")
        if occurrence is not None and (isinstance(occurrence, bool) or not isinstance(occurrence, int) or occurrence < 1):
            raise InvalidLine(f"occurrence must be a positive integer, not {occurrence!r}")
        dropped = self._frame(item, source)
        if dropped is not None and start is not None and end is not None:
            # Offsets in the text as the file gives it (with CRs): carried into the stored text.
            if quote:
                quote = anchoring.lf_piece(dropped, start, quote)
            prefix = anchoring.lf_piece(dropped, start - len(prefix), prefix)
            suffix = anchoring.lf_piece(dropped, end, suffix)
            given = (start, end)
            start, end = anchoring.lf_offsets(dropped, start, end)
            if start == end and given[0] < given[1]:
                raise InvalidLine(
                    f"start {given[0]} and end {given[1]} hold only the CR of a line break, which the "
                    "source's text is stored without (its breaks are LF): no words to cite"
                )
        state = item.get("anchor_state") or Span.AnchorState.ANCHORED
        if state not in ANCHOR_STATES:
            raise InvalidLine(f"anchor_state {state!r} is not one of {', '.join(ANCHOR_STATES)}")
        if state == Span.AnchorState.ORPHANED:
            # An orphaned span keeps the words that left the source, its old place and context:
            # offsets in the text as it was, which may end past the text as it is now (a
            # text cut short).
            if start is None or end is None or not quote:
                raise InvalidLine("an orphaned span needs start, end and its quote")
            if not 0 <= start < end:
                raise InvalidLine(f"an orphaned span's old offsets need 0 <= start < end, not [{start}, {end})")
            suggestion = _suggestion(item, text, dropped)
        else:
            if any(item.get(name) is not None for name in line_format.SUGGESTION_FIELDS):
                raise InvalidLine(f"only an orphaned span has a suggestion ({', '.join(line_format.SUGGESTION_FIELDS)})")
            suggestion = (None, None, None)
            try:
                candidate = anchoring.resolve_passage(
                    text, start, end, quote, prefix=prefix or None, suffix=suffix or None, occurrence=occurrence,
                    widen=self.widen_split_characters,
                )
            except anchoring.SplitsCharacter as error:
                if start is None:
                    raise
                raise InvalidLine(
                    f"{error} (A file written before spans had to hold whole characters: import it with "
                    "--widen-split-characters to widen such spans to the characters they cut.)"
                ) from error
            if (candidate.start, candidate.end) != (start, end) and start is not None:
                self.widened.append((line, (start, end), (candidate.start, candidate.end)))
            start, end = candidate.start, candidate.end
            quote = text[start:end]
            prefix, suffix = anchoring.context_of(text, start, end)
        span_uid = _uid(item, names.uid)
        if span_uid is not None:
            # One uid, one passage: the importer writes a span named by its uid once, and
            # every evidence item naming it cites that span. The source by its uid, which
            # it keeps from the line that defines it to the batch that saved it (as its
            # number: a uuid.UUID's repr is three calls of Python; the digests are compared
            # within one run only, keyed by ``passage_key``).
            passage = hashlib.blake2b(
                repr((source.uid.int, start, end, state, quote)).encode("utf-8", "surrogatepass"),
                key=self.passage_key, digest_size=16,
            ).digest()
            first_line, first_passage = self.span_passages.setdefault(span_uid.int, (line, passage))
            if first_passage != passage:
                raise InvalidLine(f"{names.uid} {span_uid} names another passage on line {first_line}")
        created_by = None
        if item.get(names.created_by) not in (None, ""):
            created_by = self._user(item.get(names.created_by), names.created_by).id
        return PreparedEvidence(
            source_id, sha, start, end, quote, prefix, suffix, state, stance=Stance.SUPPORTS, note="",
            span_uid=span_uid, source_uid=source.uid, span_created_by_id=created_by,
            span_created_at=_datetime(item, names.created_at), span_updated_at=_datetime(item, names.updated_at),
            suggested_start=suggestion[0], suggested_end=suggestion[1], suggestion_score=suggestion[2],
        )

    def _frame(self, item: dict, source: KnownSource) -> list[int] | None:
        """The CRs dropped from the text the item's offsets count in (None: the stored one):
        the text with the hash it names, else the first one the file gave for the source."""
        named = item.get("source_sha256")
        if named == source.sha:
            return None
        if isinstance(named, str) and named in self.breaks_of_sha:
            return self.breaks_of_sha[named]
        return self.dropped_breaks.get(source.uid)

    def _source_of(self, item: dict, names: SpanFields) -> KnownSource:
        """The source evidence (or a span line) cites: by ``source_uid``; when no source has
        it (or none is given), by ``source_sha256`` or (evidence) ``source_url``. A hash sent
        along with a uid must be that source's text's."""
        uid = self.sources.known_uid(item.get("source_uid"))
        if uid is None:
            uid = _uid(item, "source_uid")
        sha, url = item.get("source_sha256"), item.get("source_url")
        if uid is None and sha is None and url is None:
            *others, last = names.source
            raise InvalidLine(f"name the source by {', '.join(others)} or {last}")
        found = self.sources.find(uid, sha if isinstance(sha, str) else None, url if isinstance(url, str) else None)
        if found is None:
            raise InvalidLine(f"source {uid or sha or url!r} does not exist")
        if found.uid == uid and isinstance(sha, str) and sha != found.sha and sha not in self.given_shas.get(uid, ()):
            raise InvalidLine(f"source_sha256 {sha} is not the hash of the text of source {uid}")
        return found

    def _check_review(self, index: int, item: Any) -> tuple:
        if not isinstance(item, dict):
            raise InvalidLine(f"reviews[{index}] must be an object")
        unknown = line_format.unknown_fields(item, line_format.REVIEW_FIELDS)
        if unknown:
            raise InvalidLine(f"reviews[{index}]: unknown field(s): {', '.join(unknown)}")
        actor = self.people.get(item.get("actor"))
        if actor is None:
            raise InvalidLine(f"reviews[{index}]: actor {item.get('actor')!r} is not a user")
        try:
            return (  # REVIEW_FIELDS
                actor.id,
                _choice(item, "action", REVIEW_ACTIONS, ""),
                _choice(item, "from_status", STATUSES, ""),
                _choice(item, "to_status", STATUSES, ""),
                _text(item, "comment"),
                _datetime(item, "created_at"),
            )
        except InvalidLine as error:
            raise InvalidLine(f"reviews[{index}]: {error}") from error
