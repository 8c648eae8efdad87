"""Reading and checking the lines of an import file (see ``claims.transfer``).

Pure checks against the database's current state: nothing here writes. The ``Resolver``
turns a line into a ``PreparedClaim`` (ids resolved, offsets anchored, the workflow's
invariants for the claimed status checked) or raises ``InvalidLine`` saying why.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import io
import re
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

import orjson
from django.contrib.auth import get_user_model
from django.core.files.storage import default_storage
from django.db import connection
from django.db.models import Q
from django.utils.dateparse import parse_date, parse_datetime

from project.errors import InvalidInput
from project.validation import refuse_unstorable_text, repeated_json_key, text_problem
from sources import anchoring, ingestion
from sources.models import Source, Span, sha256_of
from sources.services import SOURCE_FIELDS, source_text_problem

from .. import rules
from ..models import CLAIM_TEXT_MAX_LENGTH, Claim, Entity, Evidence, Review
from ..roles import is_analyst, is_reviewer
from . import lines as line_format

Status = Claim.Status
Verdict = Claim.Verdict
Stance = Evidence.Stance

DEFAULT_BATCH_SIZE = 1000
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


# ---------------------------------------------------------------------------------------------
# Reading


@dataclass(slots=True)
class Line:
    number: int
    record: dict


def _read_lines(handle: IO[bytes]) -> Iterator[tuple[int, int, bytes]]:
    for number, raw in enumerate(handle, start=1):
        yield number, len(raw), raw


def _parse(number: int, raw: bytes) -> Line | LineError | None:
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
    """Lists of parsed lines and parse errors; a batch ends after ``batch_size`` claims."""
    batch: list[Line | LineError] = []
    claims = 0
    for number, size, raw in _read_lines(handle):
        on_bytes(size)
        parsed = _parse(number, raw)
        if parsed is None:
            continue
        batch.append(parsed)
        if isinstance(parsed, Line) and parsed.record["type"] == "claim":
            claims += 1
        if claims >= batch_size:
            yield batch
            batch, claims = [], 0
    if batch:
        yield batch


# ---------------------------------------------------------------------------------------------
# Resolving references


class SourceCache:
    """Sources by SHA-256 and URL, their texts kept within a byte budget (least recently
    used out first), so that memory does not grow with the corpus."""

    def __init__(self, budget: int = SOURCE_CACHE_BYTES) -> None:
        self.barrier: Callable[[], None] = _no_wait  # called before any query (see Resolver)
        self.budget = budget
        self.used = 0
        self.by_sha: OrderedDict[str, tuple[int | None, str, str | None]] = OrderedDict()
        self.sha_of_url: dict[str, str] = {}
        self.pending: dict[str, tuple[str, str | None]] = {}  # defined in the file, not yet saved

    def _remember(self, source_id, sha: str, text: str, url: str | None) -> None:
        if sha in self.by_sha:
            self.by_sha.move_to_end(sha)
            return
        self.by_sha[sha] = (source_id, text, url)
        self.used += len(text)
        if url:
            self.sha_of_url[url] = sha
        while self.used > self.budget and len(self.by_sha) > 1:
            old_sha, (_, old_text, old_url) = self.by_sha.popitem(last=False)
            self.used -= len(old_text)
            if old_url:
                self.sha_of_url.pop(old_url, None)

    def define(self, text: str, url: str | None) -> str:
        """A source line of the file: known by its key before it is saved."""
        sha = sha256_of(text)
        self.pending[sha] = (text, url)
        if url:
            self.sha_of_url[url] = sha
        return sha

    def saved(self, source: Source) -> None:
        self.pending.pop(source.text_sha256, None)
        self._remember(source.pk, source.text_sha256, source.text, source.url)

    def load(self, shas: set[str], urls: set[str]) -> None:
        missing_shas = {sha for sha in shas if sha not in self.by_sha and sha not in self.pending}
        missing_urls = {url for url in urls if url not in self.sha_of_url}
        if not (missing_shas or missing_urls):
            return
        self.barrier()
        if connection.vendor == "postgresql":
            # Locked as a foreign key locks what it refers to, until the import commits: a
            # source's text cannot change between the moment its spans are anchored here and
            # the commit (``source_update`` waits, then re-anchors them with the rest); an
            # edit under way finishes first, and a source whose text it changed is no longer
            # found by the old text's hash. SQLite's writers wait for the import anyway.
            # Each condition only when it has values: the planner takes the URLs' partial
            # index only for a condition it can prove is about URLs that are set.
            wanted = [(f"{column} = ANY(%s::text[])", list(values))
                      for column, values in (("text_sha256", missing_shas), ("url", missing_urls)) if values]
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT id, text_sha256, text, url FROM {Source._meta.db_table} "
                    f"WHERE {' OR '.join(condition for condition, _ in wanted)} ORDER BY id FOR KEY SHARE",
                    [values for _, values in wanted],
                )
                found = cursor.fetchall()
        else:
            query = Q(text_sha256__in=missing_shas) | Q(url__in=missing_urls)
            found = Source.objects.filter(query).order_by("id").values_list("id", "text_sha256", "text", "url")
        for source_id, sha, text, url in found:
            self._remember(source_id, sha, text, url)

    def peek(self, sha: str | None, url: str | None) -> tuple[int | None, str, str] | None:
        """``(id or None when defined in the file, text, sha)`` if known, without a query."""
        key = sha if sha is not None else self.sha_of_url.get(url) if url is not None else None
        if key in self.by_sha:
            source_id, text, _ = self.by_sha[key]
            return source_id, text, key
        if key in self.pending:
            return None, self.pending[key][0], key
        return None

    def get(self, sha: str | None, url: str | None) -> tuple[int | None, str, str] | None:
        """Like ``peek``, but a source the cache let go of is read again."""
        found = self.peek(sha, url)
        if found is None:
            self.load({sha} if sha else set(), {url} if url and not sha else set())
            found = self.peek(sha, url)
        return found


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
    source_id: int | None
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
    parsed = parse_date(value) if isinstance(value, str) else None
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
        parsed = parsed.replace(tzinfo=dt.UTC)
    try:
        # Stored in UTC: a time near the ends of the calendar may not exist there.
        return parsed.astimezone(dt.UTC)
    except OverflowError:
        raise InvalidLine(f"{name} {value!r} is out of range once in UTC") from None


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


def _offset(item: dict, name: str) -> int | None:
    value = item.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidLine(f"{name} must be an integer")
    return value


class Resolver:
    """Turns records into checked, resolved claims.

    The checks query the database only for what ``prefetch`` could not know in advance (a
    user not seen before, a source the cache let go of), and call ``barrier`` first: the
    importer's writer thread may be using the connection (``claims.transfer.importing``).
    """

    def __init__(self) -> None:
        self.people = People()
        self.sources = SourceCache()
        self.entity_ids: dict[str, int] = {}
        self.pending_entities: set[str] = set()
        self.source_uids: set[uuid.UUID] = set()  # of the batch's source lines, in the database
        self.original_shas: dict[str, str] = {}  # originals already taken: by whom
        self.claim_lines: dict[uuid.UUID, int] = {}  # the line of each claim uid in the file
        # The passage (source, offsets, state, quote) of each span uid in the file, and its line.
        self.span_passages: dict[uuid.UUID, tuple[int, tuple]] = {}

    @property
    def barrier(self) -> Callable[[], None]:
        return self.people.barrier

    @barrier.setter
    def barrier(self, wait: Callable[[], None]) -> None:
        self.people.barrier = self.sources.barrier = wait

    # -- sources and entities lines --

    def check_source(self, record: dict) -> dict:
        text = record.get("text")
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
        # The batch's sources were read by ``prefetch``: no query per line.
        existing = self.sources.peek(sha256_of(text), None)
        by_url = self.sources.peek(None, fields.get("url")) if fields.get("url") else None
        if by_url is not None and by_url[2] != sha256_of(text) and existing is None:
            raise InvalidLine(f"url {fields['url']} belongs to a source with a different text")
        if existing is not None:
            return None  # already in the database, or defined by a line above
        if uid is not None and uid in self.source_uids:
            raise InvalidLine(f"uid {uid} belongs to a source with a different text")
        original = self._check_original(record)
        self.sources.define(text, fields.get("url"))
        return {"text": text, "uid": uid or uuid.uuid4(), **fields, **original}

    def _check_original(self, record: dict) -> dict:
        """The original file a source line names: its hash, media type and size, and its
        bytes when the line carries them (checked against the hash, then stored at once,
        content-addressed, so that a file of many originals is not held in memory; a
        refused import leaves files nothing names, which the next import reuses)."""
        sha = record.get("original_sha256")
        if sha in (None, ""):
            if any(record.get(name) not in (None, "") for name in ("original", "original_media_type", "original_size")):
                raise InvalidLine("an original needs its original_sha256")
            return {}
        if not isinstance(sha, str) or not SHA256_PATTERN.fullmatch(sha):
            raise InvalidLine("original_sha256 must be 64 lowercase hexadecimal digits")
        media_type = record.get("original_media_type")
        if media_type not in ingestion.MEDIA_TYPES:
            raise InvalidLine(f"original_media_type {media_type!r} is not one of {', '.join(ingestion.MEDIA_TYPES)}")
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
                    "original_media_type": media_type, "original_size": size}
        if not isinstance(encoded, str):
            raise InvalidLine("original must be the file's bytes in base64")
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
        name = ingestion.store_original(io.BytesIO(data), sha256=sha, size=len(data), media_type=media_type)
        self.original_shas[sha] = "another source line"
        return {"original": name, "original_sha256": sha, "original_media_type": media_type,
                "original_size": size, "original_stored": True}

    def check_entity(self, record: dict) -> dict:
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
        self.pending_entities.add(values["slug"])
        return values

    # -- claims --

    def prefetch(self, lines: list[Line]) -> None:
        """One query per kind of reference for the whole batch (none for what is cached)."""
        shas, urls, slugs, source_uids, original_shas = set(), set(), set(), set(), set()
        for line in lines:
            record = line.record
            if record["type"] == "source":
                if isinstance(record.get("original_sha256"), str):
                    original_shas.add(record["original_sha256"])
                if isinstance(record.get("uid"), str):
                    source_uids.add(record["uid"])
                if isinstance(record.get("text"), str):
                    shas.add(sha256_of(record["text"]))
                if isinstance(record.get("url"), str):
                    urls.add(record["url"])
            if record["type"] != "claim":
                continue
            evidence, slugs_named = record.get("evidence"), record.get("entities")
            for item in evidence if isinstance(evidence, list) else ():
                if isinstance(item, dict):
                    if isinstance(item.get("source_sha256"), str):
                        shas.add(item["source_sha256"])
                    elif isinstance(item.get("source_url"), str):
                        urls.add(item["source_url"])
            for slug in slugs_named if isinstance(slugs_named, list) else ():
                if isinstance(slug, str) and slug not in self.entity_ids:
                    slugs.add(slug)
        self.sources.load(shas, urls)
        valid_uids = []
        for value in source_uids:
            try:
                valid_uids.append(uuid.UUID(value))
            except ValueError:
                pass  # reported by check_source
        self.source_uids = set()
        if valid_uids:
            self.barrier()
            self.source_uids.update(Source.objects.filter(uid__in=valid_uids).values_list("uid", flat=True))
        if slugs:
            self.barrier()
            self.entity_ids.update(Entity.objects.filter(slug__in=slugs).values_list("slug", "id"))
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
        status = _choice(record, "status", STATUSES, Status.DRAFT)
        verdict = _choice(record, "verdict", VERDICTS, Verdict.UNVERIFIED)
        confidence = _choice(record, "confidence", ("", *CONFIDENCES), "")
        period_start, period_end = _date(record, "period_start"), _date(record, "period_end")
        if (problem := rules.period_problem(period_start, period_end)) is not None:
            raise InvalidLine(problem.message)
        contributor_names = _list(record, "contributors", "usernames")
        contributor_ids = [author.id]
        for name in contributor_names:
            user = self._user(name, "contributor")
            if user.id not in contributor_ids:
                contributor_ids.append(user.id)
        reviewer = None
        if record.get("reviewer") not in (None, ""):
            reviewer = self._user(record.get("reviewer"), "reviewer")
            if not self.people.roles_of(reviewer)[1]:
                raise InvalidLine(f"reviewer {reviewer.username!r} is not a reviewer")
            if reviewer.id in contributor_ids:
                raise InvalidLine(f"four-eyes rule: the reviewer {reviewer.username!r} contributed to the claim")
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
            key = (prepared.source_sha, prepared.start, prepared.end, prepared.anchor_state)
            if key in seen or (prepared.span_uid is not None and prepared.span_uid in seen):
                raise InvalidLine(f"evidence[{index}]: the same span is cited twice")
            seen.update((key, prepared.span_uid))
            evidence.append(prepared)

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
        reviews = [self._check_review(index, item) for index, item in enumerate(_list(record, "reviews", "reviews"))]
        reviewer_ids = {actor_id for actor_id, *_ in reviews if self.people.roles_of(self.people.by_id[actor_id])[1]}
        problems = rules.log_problems(
            status=status,
            entries=[rules.LogEntry(actor_id, action, from_status, to_status) for actor_id, action, from_status, to_status, *_ in reviews],
            author_id=author.id,
            contributor_ids=set(contributor_ids),
            reviewer_ids=reviewer_ids,
        )
        if problems:
            raise InvalidLine("; ".join(problem.message for problem in problems))
        uid = _uid(record, "uid")
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
            "notes": _text(record, "notes"),
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
            supersedes=_uid(record, "supersedes"),
            contributor_ids=contributor_ids,
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
        if not isinstance(item, dict):
            raise InvalidLine("must be an object")
        unknown = line_format.unknown_fields(item, line_format.EVIDENCE_FIELDS)
        if unknown:
            raise InvalidLine(f"unknown field(s): {', '.join(unknown)}")
        added_by = author if item.get("added_by") in (None, "") else self._user(item.get("added_by"), "added_by")
        sha, url = item.get("source_sha256"), item.get("source_url")
        if sha is None and url is None:
            raise InvalidLine("name the source by source_sha256 or source_url")
        found = self.sources.get(sha if isinstance(sha, str) else None, url if isinstance(url, str) else None)
        if found is None:
            raise InvalidLine(f"source {sha or url!r} does not exist")
        source_id, text, sha = found
        stance = _choice(item, "stance", STANCES, Stance.SUPPORTS)
        quote = item.get("quote")
        if quote is not None and not isinstance(quote, str):
            raise InvalidLine("quote must be a string")
        start, end = _offset(item, "start"), _offset(item, "end")
        state = item.get("anchor_state") or Span.AnchorState.ANCHORED
        if state not in ANCHOR_STATES:
            raise InvalidLine(f"anchor_state {state!r} is not one of {', '.join(ANCHOR_STATES)}")
        if state == Span.AnchorState.ORPHANED:
            # An orphaned span keeps the words that left the source, and its old place.
            if start is None or end is None or not quote:
                raise InvalidLine("an orphaned span needs start, end and its quote")
            anchoring.validate_offsets(text, start, end)
            prefix, suffix = _text(item, "prefix"), _text(item, "suffix")
        else:
            if start is not None or end is not None:
                if start is None or end is None:
                    raise InvalidLine("give both start and end, or a quote")
                candidate = anchoring.resolve_offsets(text, start, end, quote)
            elif quote:
                occurrence = item.get("occurrence")
                candidate = anchoring.resolve_quote(
                    text, quote, prefix=item.get("prefix") or None, suffix=item.get("suffix") or None,
                    occurrence=occurrence,
                )
            else:
                raise InvalidLine("give start and end, or a quote")
            start, end = candidate.start, candidate.end
            quote = text[start:end]
            prefix, suffix = anchoring.context_of(text, start, end)
        span_uid = _uid(item, "span_uid")
        if span_uid is not None:
            # One uid, one passage: the importer writes a span named by its uid once, and
            # every evidence item naming it cites that span.
            passage = (source_id, start, end, state, quote)
            first_line, first_passage = self.span_passages.setdefault(span_uid, (line, passage))
            if first_passage != passage:
                raise InvalidLine(f"span_uid {span_uid} names another passage on line {first_line}")
        return PreparedEvidence(
            source_id, sha, start, end, quote, prefix, suffix, state, stance, _text(item, "note"),
            span_uid, added_by.id,
        )

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
