"""Operations on sources and spans. The admin, the API and the commands all call these."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterable
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from datetime import timezone as dt_timezone
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connections, router, transaction
from django.db.models import ProtectedError, TextField
from django.db.models.expressions import RawSQL
from django.dispatch import Signal
from django.urls import reverse
from django.utils import timezone

from project.errors import Conflict, InvalidInput, StaleVersion, invalid_field
from project.concurrency import retried_transaction
from project.validation import normalise_line_endings, refuse_unstorable_text, text_problem

from . import anchoring
from .dates import has_begun_somewhere
from .ingest import SpooledText
from .models import Source, Span, url_key

# Sent, inside the transaction, after spans changed anchor state or offsets; receivers get
# ``span_ids``. The claims app listens, so that ``sources`` never imports ``claims``.
spans_reanchored = Signal()
# Sent inside ``source_update``'s transaction, under the source's lock, when something of
# it is about to change; receivers get ``source`` (the locked row, not yet saved),
# ``user`` and ``fields`` (the names of what changes, "text" among them), and may refuse by
# raising a ``DomainError``. The claims app listens: a source
# that published claims cite changes only by a reviewer, and re-versions those claims.
source_changing = Signal()

SOURCE_FIELDS = (
    "title",
    "url",
    "publisher",
    "authors",
    "published_on",
    "retrieved_at",
    "language",
    "kind",
    "reliability",
    "notes",
)


REVISION_LENGTH = 32


def content_revision(instance, fields: Iterable[str]) -> str:
    """A digest of ``instance``'s values of ``fields``: what an edit was based on. An edit
    that carries the revision it began from is refused when the row's revision differs,
    so that a stale form cannot silently overwrite a newer edit (sources and entities have
    no version number; their content is the version). A historical record answers the
    same digest as the row it recorded."""
    values = [str(getattr(instance, name)) if getattr(instance, name) is not None else None for name in fields]
    return hashlib.sha256(json.dumps(values, ensure_ascii=False).encode()).hexdigest()[:REVISION_LENGTH]


def parsed_content_revision(value: str) -> str | None:
    """A revision as a form or a header sent it (``content_revision``'s shape); None when
    it is not one, which a caller must not read as "no check"."""
    return value if len(value) == REVISION_LENGTH and all(c in "0123456789abcdef" for c in value) else None


def source_revision(source) -> str:
    """The revision of a source's content (its text by its SHA-256); see ``source_update``."""
    return content_revision(source, (*SOURCE_FIELDS, "text_sha256"))


def check_revision(instance, current: str, expected: str | None) -> None:
    """Refuse an edit that began from another revision than the row's ``current`` one
    (call under the row's lock); ``expected`` None: the caller did not say, no check."""
    if expected is not None and expected != current:
        name = instance._meta.verbose_name
        raise StaleVersion(
            f"{name[:1].upper()}{name[1:]} #{instance.pk} was changed by someone else after this edit "
            "began; reload it and try again.",
            extra={"current_revision": current},
        )


class AnchoringFailed(InvalidInput):
    """A span could not be placed; carries the anchoring error's code and candidates."""

    @classmethod
    def from_error(cls, error: anchoring.AnchoringError) -> AnchoringFailed:
        extra: dict[str, Any] = {}
        if isinstance(error, (anchoring.AmbiguousQuote, anchoring.ContextMismatch)):
            extra["candidates"] = [candidate.as_dict() for candidate in error.candidates]
        if isinstance(error, anchoring.ContextMismatch):
            extra["mismatched"] = list(error.sides)
        if isinstance(error, anchoring.QuoteMismatch):
            extra["actual"] = error.actual
        extra["errors"] = {field: [str(error)] for field in error.fields} or {"non_field_errors": [str(error)]}
        if isinstance(error, anchoring.SplitsCharacter):
            extra["errors"] = {error.field: [str(error)]}
            extra["character"] = {"start": error.split.first, "end": error.split.last}
        return cls(str(error), code=error.code, extra=extra)


def _attribute(instance, user) -> None:
    """Name the acting user in the field history. Without a user, the history falls back
    to the request's user (set by the middleware), so ``None`` must not override it."""
    if user is not None:
        instance._history_user = user


def _validated(source: Source) -> None:
    """``full_clean`` with its errors as an ``InvalidInput`` (400 with per-field messages).
    A ``SpooledText`` is checked by ``check_source_text``, a piece at a time. A URL already
    recorded is ``_refuse_taken_url``'s to answer, under any of its spellings and naming
    its source, not the model's check of the exact spelling."""
    refuse_unstorable_text(source)
    spooled = isinstance(getattr(source, "text", None), SpooledText)
    try:
        source.full_clean(exclude=["text"] if spooled else None, validate_constraints=False)
        source.validate_constraints(exclude={"url"})
    except ValidationError as error:
        fields = error.message_dict if hasattr(error, "error_dict") else {"non_field_errors": error.messages}
        first = next(iter(fields.values()))[0]
        raise InvalidInput(first, code="invalid", extra={"errors": fields}) from error


# A text from this many code points on is saved without being bound to a statement (see
# ``_text_sent_in_slices``).
LONG_TEXT = 1 << 20


# A long text is spooled, and sent to the database, in slices of this many code points
# (a string) or bytes (its UTF-8).
TEXT_SLICE = 1 << 20


def _spooled(text: str) -> SpooledText:
    """A long string written to a ``SpooledText``, a slice at a time."""
    spooled = SpooledText()
    for start in range(0, len(text), TEXT_SLICE):
        spooled.write(text[start : start + TEXT_SLICE])
    return spooled


@contextmanager
def _text_sent_in_slices(source: Source, using: str):
    """While a long text is saved, its statements (the source's INSERT or UPDATE, its
    history row's INSERT) read it from where the database can fetch it, never from a bound
    parameter: bound, each statement's copy outlives it. SQLite's driver keeps a statement's
    parameters bound in its statement cache for as long as the connection lives, and libpq
    copies a message into an output buffer that it keeps as large as the largest one sent:
    a 50 MB upload grew a worker by 214 MB on SQLite and 163 MB on PostgreSQL (261 MB with
    the parameter quoted into the statement, Django's default).

    The text goes from a ``SpooledText`` (a long string is spooled first; a large text
    file was decoded into one, and is never in memory whole):

    - SQLite: a function of the connection returns its UTF-8, read from the file for the
      call, as bytes (SQLite copies what it returns for the statement alone, and builds a
      row in memory whole: two copies at the peak, inside SQLite, while the statement runs);
    - PostgreSQL: a large object on the server, written a slice at a time beforehand and
      removed afterwards (by the rollback, on an error): nothing of the text is held.

    The text is validated before, and measured here. After the save, a string is the
    source's text again; a ``SpooledText`` becomes ``source.spooled_text`` and the text is
    left to load from the database if it is read (``Source.text`` deferred)."""
    text = source.text
    connection = connections[using]
    given_spooled = isinstance(text, SpooledText)
    if (not given_spooled and len(text) < LONG_TEXT) or connection.vendor not in ("postgresql", "sqlite"):
        yield
        return
    spooled = text if given_spooled else _spooled(text)
    source.text_sha256, source.text_length = spooled.sha256, spooled.length
    try:
        if connection.vendor == "sqlite":
            connection.ensure_connection()
            connection.connection.create_function("claimbase_long_text", 0, spooled.utf8, deterministic=True)
            read, key = "CAST(claimbase_long_text() AS TEXT)", None
        else:
            with connection.cursor() as cursor:
                cursor.execute("SELECT lo_create(0)")
                key = cursor.fetchone()[0]
                offset = 0
                for chunk in spooled.chunks(TEXT_SLICE):
                    cursor.execute("SELECT lo_put(%s, %s, %s)", [key, offset, chunk])
                    offset += len(chunk)
            read = "convert_from(lo_get(%s), 'UTF8')"
        source.text = RawSQL(read, [] if key is None else [key], output_field=TextField())
        try:
            yield
        finally:
            if given_spooled:
                del source.text  # deferred: read from the database if it is asked for
                source.spooled_text = spooled
            else:
                source.text = text
            if key is None:
                connection.connection.create_function("claimbase_long_text", 0, None)
        if key is not None:
            # Not on an error: the transaction is failed, and its rollback removes the object.
            with connection.cursor() as cursor:
                cursor.execute("SELECT lo_unlink(%s)", [key])
    finally:
        if not given_spooled:
            spooled.close()


def url_owner(url: str | None, *, other_than: int | None = None) -> Source | None:
    """The source recorded under ``url`` or another spelling of it (``url_key``: the same
    page with its fragment, a tracker's parameters or its host's capitals), if any; the
    oldest. The rule of every path that records a URL."""
    if not url:
        return None
    owners = Source.objects.filter(url_key=url_key(url)).exclude(pk=other_than).order_by("pk")
    return owners.only("pk", "title", "url").first()


def existing_source_body(source: Source) -> dict:
    """How a refusal names the source that already holds an original or a URL."""
    return {
        "existing_source": {
            "id": source.pk,
            "title": source.title,
            "url": source.url,
            "api_url": reverse("source-detail", args=[source.pk]),
        }
    }


def _url_taken(owner: Source) -> Conflict:
    """The one refusal of a URL already recorded, whatever the path (a JSON create or edit,
    an upload, a fetch): 409 ``duplicate_url`` naming the ``existing_source``, and the field."""
    detail = f"A source with this URL already exists: #{owner.pk} (“{owner.title}”, {owner.url})."
    return Conflict(detail, code="duplicate_url", extra={"errors": {"url": [detail]}, **existing_source_body(owner)})


def refuse_taken_url(url: str | None, *, other_than: int | None = None) -> None:
    """``duplicate_url`` naming the source that records ``url`` under any spelling of it,
    other than the source ``other_than`` (one being edited): the rule's one refusal, which a
    form may ask before the save asks it again."""
    owner = url_owner(url, other_than=other_than)
    if owner is not None:
        raise _url_taken(owner)


def _refuse_taken_url(source: Source) -> None:
    refuse_taken_url(source.url, other_than=source.pk)


def _hold_url(url: str | None, using: str) -> None:
    """Until the transaction ends, the one writer of ``url`` under any spelling of it: the
    database holds each spelling once, not the page once, so two spellings written at the
    same moment would both pass ``url_owner``. PostgreSQL: a transaction-level advisory lock
    on the URL's key. SQLite: its one writer at a time (transactions begin IMMEDIATE) holds
    it already."""
    connection = connections[using]
    if url and connection.vendor == "postgresql":
        key = int.from_bytes(hashlib.sha256(url_key(url).encode("utf-8", "surrogatepass")).digest()[:8], "big", signed=True)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


def _save_source(source: Source, *, url_changed: bool = True) -> None:
    """Save, the URL checked first (``url_owner``) when it is new or changed, in the same
    transaction, as its one writer (``_hold_url``); the database's uniqueness of the exact
    spelling turned into the same error."""
    using = router.db_for_write(Source, instance=source)
    try:
        with transaction.atomic(using=using):
            if url_changed:
                _hold_url(source.url, using)
                _refuse_taken_url(source)
            with _text_sent_in_slices(source, using):
                source.save(using=using)
    except IntegrityError as error:
        owner = url_owner(source.url, other_than=source.pk)  # a concurrent writer's, committed since
        if owner is not None:
            raise _url_taken(owner) from error
        raise


def _refuse_url_not_recorded(source: Source) -> None:
    """A URL with a user name or password is not recorded, given or changed: anyone who may
    read the source (anonymous callers) would read them, and fetching refuses such a URL.
    Nor is one whose port no address can have (``:99999``; the field's own validation takes
    up to five digits). (A URL restored by an import is left as exported.)"""
    try:
        parts = urlsplit(source.url or "")
    except ValueError:
        return  # not a URL: the field's own validation says so
    if parts.username is not None or parts.password is not None:
        detail = "A URL with a user name or password is not recorded: whoever may read the source would read them. Give the address without them."
        raise invalid_field("url", detail)
    try:
        parts.port
    except ValueError:
        detail = "The URL's port is out of range: a port is a number from 0 to 65535."
        raise invalid_field("url", detail) from None


# No document was read by anyone who records sources here before this.
EARLIEST_READ = datetime(1900, 1, 1, tzinfo=dt_timezone.utc)


def _refuse_dates_ahead(source: Source, names: Iterable[str] = ("published_on", "retrieved_at")) -> None:
    """A document is not published on a day that has not begun anywhere on Earth, nor read
    more than a day from now (clocks and time zones): a year 2999 is a typing error, and
    the extractors take no such date from a document (``sources.ingest``). Asked of the
    dates given, when a source is created or they are changed: a date stored before the
    rule (an import restores what was exported) does not block other edits."""
    now = timezone.now()
    errors = {}
    if "published_on" in names and isinstance(source.published_on, date) and not has_begun_somewhere(source.published_on):
        errors["published_on"] = [f"{source.published_on.isoformat()} has not begun anywhere on Earth: a document is not published in the future."]
    if "retrieved_at" in names and isinstance(source.retrieved_at, datetime) and source.retrieved_at > now + timedelta(days=1):
        errors["retrieved_at"] = [f"{source.retrieved_at.isoformat()} is more than a day from now: a document is not read in the future."]
    elif "retrieved_at" in names and isinstance(source.retrieved_at, datetime) and source.retrieved_at < EARLIEST_READ:
        # Year 1 in a time zone west of UTC is no date Python can show: the source list and
        # the admin's page of it failed for everybody.
        errors["retrieved_at"] = [f"{source.retrieved_at.isoformat()} is before 1900: when was the document read?"]
    if errors:
        raise InvalidInput(next(iter(errors.values()))[0], code="invalid", extra={"errors": errors})


def source_text_problem(text: Any) -> str | None:
    """A source's text is any non-empty text, stored exactly as given (one space is a
    text); only what cannot be stored is refused. The importer asks this too."""
    if not isinstance(text, str) or not text:
        return "A source needs its text."
    problem = text_problem(text)
    return f"text: {problem}" if problem else None


def check_source_text(text: Any, *, from_file: bool = False) -> None:
    """``source_text_problem`` as a 400; ``from_file``: the text a file gave, which an
    upload checks before it stores the file (the caller sent no ``text``: the error is
    the file's)."""
    if isinstance(text, SpooledText):
        # Piece by piece: a character the rule refuses is refused in any piece of the text.
        pieces = text.pieces() if text.length else [""]
        text = next((piece for piece in pieces if source_text_problem(piece)), None)
        if text is None:
            return
    problem = source_text_problem(text)
    if problem is not None:
        code = "empty_text" if not text else "null_character" if "\x00" in text else "invalid_text"
        if from_file:
            problem = f"The file's text cannot be stored: {text_problem(text)}." if text else "The file gives no text."
        raise invalid_field("file" if from_file else "text", problem, code=code)


def _refuse_unknown_fields(fields: dict) -> None:
    unknown = set(fields) - set(SOURCE_FIELDS)
    if unknown:
        raise InvalidInput(f"Unknown source fields: {', '.join(sorted(unknown))}.")


def check_source_fields(**fields: Any) -> None:
    """``source_create``'s checks of the fields alone, before there is a text or an
    original: an upload checks them before it stores the file, so that a refusal leaves
    nothing behind."""
    _refuse_unknown_fields(fields)
    source = Source(text=" ", **fields)
    if not source.url:
        source.url = None
    _validated(source)
    _refuse_dates_ahead(source)
    _refuse_url_not_recorded(source)
    _refuse_taken_url(source)


def source_create(*, user=None, text: str | SpooledText, original: dict | None = None, **fields: Any) -> Source:
    """Create a source; its text is stored as given, except that line breaks are LF. A
    URL, when set, is unique.

    ``original`` (from ``sources.ingestion``) records the stored file the text came from.
    A ``SpooledText`` (a large text file's, line breaks already LF) goes to the database
    without being read into memory; the source returned then has it as ``spooled_text``
    (see ``_text_sent_in_slices``).
    """
    _refuse_unknown_fields(fields)
    if isinstance(text, str):
        text = normalise_line_endings(text)
    check_source_text(text)
    source = Source(text=text, created_by=user, **(original or {}), **fields)
    if not source.url:
        source.url = None
    _validated(source)
    _refuse_dates_ahead(source)
    _refuse_url_not_recorded(source)
    _attribute(source, user)
    _save_source(source)
    return source


@retried_transaction
def source_update(
    *, source: Source, user=None, text: str | None = None, expected_revision: str | None = None, **fields: Any
) -> dict:
    """Update metadata and, when ``text`` changes, re-anchor every span in the same transaction.
    Line breaks of the new text are normalised to LF, as in ``source_create``.

    ``expected_revision`` (``source_revision`` of the source the edit began from): a source
    changed since is refused (``StaleVersion``), under the lock, rather than overwritten.
    A change is announced (``source_changing``) under the source's lock before it is
    written, so that what depends on the source may refuse it or follow it. An update that
    changes nothing writes nothing (no history row, no feed event).
    Returns the re-anchoring summary (``kept``, ``relocated``, ``orphaned``), empty when the
    text did not change.
    """
    _refuse_unknown_fields(fields)
    if isinstance(text, str):
        text = normalise_line_endings(text)
    source = Source.objects.select_for_update().get(pk=source.pk)
    check_revision(source, source_revision(source), expected_revision)
    before = {name: getattr(source, name) for name in fields}
    for name, value in fields.items():
        setattr(source, name, value)
    if not source.url:
        source.url = None
    _attribute(source, user)
    summary: dict = {}
    text_changes = text is not None and text != source.text
    if not text_changes and before == {name: getattr(source, name) for name in fields}:
        return summary
    _refuse_dates_ahead(source, [name for name in fields if before[name] != getattr(source, name)])
    if "url" in fields and before["url"] != source.url:
        _refuse_url_not_recorded(source)
    changed = {name for name in fields if before[name] != getattr(source, name)} | ({"text"} if text_changes else set())
    source_changing.send(sender=Source, source=source, user=user, fields=frozenset(changed))
    url_changed = url_key(source.url) != source.url_key  # a recorded spelling is not refused again
    if text_changes:
        check_source_text(text)
        source.text = text
        _validated(source)
        _save_source(source, url_changed=url_changed)
        summary = reanchor_spans(source=source, user=user, in_announced_edit=True)
    else:
        _validated(source)
        _save_source(source, url_changed=url_changed)
    return summary


def source_update_text(*, source: Source, text: str, user=None) -> dict:
    """Replace a source's text and re-anchor its spans; see ``source_update``."""
    return source_update(source=source, user=user, text=text)


def source_delete(*, source: Source, user=None) -> None:
    """A source that has spans cannot be deleted: citations would lose their ground.

    The source's row is locked first, so a span being created at the same moment (see
    ``span_create``) either commits before (and the delete is refused) or waits for it.
    """
    try:
        with transaction.atomic():
            locked = Source.objects.select_for_update().get(pk=source.pk)
            _attribute(locked, user)
            locked.delete()
    except (ProtectedError, IntegrityError) as error:
        raise Conflict(source_delete_problem(source) or "This source is still cited.", code="source_has_spans") from error


def source_may_be_deleted(source: Source) -> bool:
    """Whether ``source_delete`` would delete ``source``: it has no spans. One cheap query,
    for a page that offers the delete (``source_delete_problem`` says why not, counting
    the claims that cite it: a third of a second for a source 50,000 claims cite)."""
    return not source.spans.exists()


def source_delete_problem(source: Source) -> str | None:
    """Why ``source_delete`` would refuse ``source``: it has spans (that claims cite, or
    that someone marked), which would lose their ground."""
    if source_may_be_deleted(source):
        return None
    count = source.spans.count()
    spans = f"{count:,} span{'' if count == 1 else 's'}"
    from claims.models import Claim  # claims depends on sources, not the reverse

    claims = Claim.objects.filter(evidence__span__source=source).values("pk").distinct().count()
    if claims:
        return (
            f"Claims cite it: {claims:,} claim{'' if claims == 1 else 's'}, through its {spans}. "
            "A source stays while its text grounds evidence."
        )
    return f"It has {spans} marked on its text, which no claim cites; delete them first if they are no longer wanted."


def reanchor_spans(
    *, source: Source, spans: Iterable[Span] | None = None, user=None, in_announced_edit: bool = False
) -> dict:
    """Re-anchor spans of ``source`` against its current text (``anchoring.reanchor``).

    A span stays where its quote still sits with its context; else it moves to the place
    whose context agrees (wholly, or convincingly on both sides) and is marked relocated;
    else it is marked orphaned with its quote, offsets and context unchanged (the evidence
    of where it was) and a suggestion, never applied. A kept or relocated span's prefix and
    suffix are derived again from the new text, in this transaction.

    ``in_announced_edit``: part of an edit announced by ``source_changing`` (whose receivers
    have already done what a change of the source asks of them); ``spans_reanchored`` says so.

    The whole edit shares one work budget (``anchoring.EDIT_BUDGET``, each span at most
    ``anchoring.SPAN_BUDGET``): a span that cannot be decided within it is orphaned
    without a suggestion, so that no edit holds the source's lock for long.
    """
    text = source.text
    summary: Counter = Counter(kept=0, relocated=0, orphaned=0)
    changed: list[Span] = []
    edit_budget = anchoring.WorkBudget(anchoring.EDIT_BUDGET)
    for span in spans if spans is not None else source.spans.all():
        result = _reanchored(text, span, edit_budget)
        state = str(result.state)
        before = _anchoring_fields(span)
        if state == Span.AnchorState.ORPHANED:
            summary["orphaned"] += 1
            span.anchor_state = Span.AnchorState.ORPHANED
            suggestion = result.suggestion
            span.suggested_start = suggestion.start if suggestion else None
            span.suggested_end = suggestion.end if suggestion else None
            span.suggestion_score = suggestion.score if suggestion else None
        else:
            moved = (result.start, result.end) != (span.start, span.end)
            summary["relocated" if moved else "kept"] += 1
            span.start, span.end = result.start, result.end
            span.prefix, span.suffix = anchoring.context_of(text, span.start, span.end)
            if moved:
                span.anchor_state = Span.AnchorState.RELOCATED
            elif span.anchor_state == Span.AnchorState.ORPHANED:
                # The words came back exactly where they were.
                span.anchor_state = Span.AnchorState.RELOCATED
            span.suggested_start = span.suggested_end = span.suggestion_score = None
        if before != _anchoring_fields(span):
            _attribute(span, user)
            span.save()
            changed.append(span)
    if changed:
        spans_reanchored.send(sender=Span, span_ids=[span.pk for span in changed], in_announced_edit=in_announced_edit)
    return dict(summary)


def _reanchored(text: str, span: Span, edit_budget: anchoring.WorkBudget):
    """Where ``span`` goes in ``text`` (``anchoring.reanchor``), within its share of the edit's
    budget."""
    return anchoring.reanchor(
        text,
        quote=span.quote,
        start=span.start,
        end=span.end,
        prefix=span.prefix,
        suffix=span.suffix,
        budget=edit_budget.share(anchoring.SPAN_BUDGET),
    )


def spans_orphaned_by(source: Source, text: str) -> list[Span]:
    """The spans of ``source`` that saving ``text`` would orphan (those orphaned already
    left out): ``reanchor_spans``'s verdict, asked before the edit, so that a person can be
    told which evidence an edit takes the words from before it does."""
    text = normalise_line_endings(text)
    edit_budget = anchoring.WorkBudget(anchoring.EDIT_BUDGET)
    orphaned = []
    for span in source.spans.all():
        if str(_reanchored(text, span, edit_budget).state) == Span.AnchorState.ORPHANED and span.anchor_state != Span.AnchorState.ORPHANED:
            orphaned.append(span)
    return orphaned


def _anchoring_fields(span: Span) -> tuple:
    """What re-anchoring may change of a span: a change of any of it is saved (a kept
    span's context too: the annotation publishes it, the next re-anchoring reads it)."""
    return (
        span.start,
        span.end,
        span.anchor_state,
        span.prefix,
        span.suffix,
        span.suggested_start,
        span.suggested_end,
        span.suggestion_score,
    )


@transaction.atomic
def span_create(
    *,
    source: Source,
    user=None,
    start: int | None = None,
    end: int | None = None,
    quote: str | None = None,
    prefix: str | None = None,
    suffix: str | None = None,
    occurrence: int | None = None,
) -> tuple[Span, bool]:
    """Create a span by offsets (a quote may come too and must match) or by quote.

    By quote, ``occurrence`` (1-based) or ``prefix``/``suffix`` choose among repeats; an
    ambiguous quote is refused with every candidate. A ``prefix``/``suffix`` sent with
    offsets, an occurrence or a unique quote must agree with the text around that place
    (``context_mismatch`` otherwise): the caller's words and the chosen place must not
    contradict each other. Returns ``(span, created)``: an
    anchored span at the same offsets is reused rather than duplicated.

    The source is re-read under a lock, so the span is anchored in its current text even
    when the caller's copy is stale or its text is being edited at this moment
    (``source_update`` holds the same lock while it re-anchors). Callers that lock claims
    too take the sources' locks first, in that order.
    """
    source = Source.objects.select_for_update(no_key=True).get(pk=source.pk)
    text = source.text
    try:
        candidate = anchoring.resolve_passage(
            text, start, end, quote, prefix=prefix or None, suffix=suffix or None, occurrence=occurrence
        )
    except anchoring.AnchoringError as error:
        raise AnchoringFailed.from_error(error) from error
    existing = (
        Span.objects.filter(
            source=source,
            start=candidate.start,
            end=candidate.end,
            anchor_state__in=[Span.AnchorState.ANCHORED, Span.AnchorState.RELOCATED],
        )
        .order_by("id")
        .first()
    )
    if existing is not None:
        return existing, False
    span_prefix, span_suffix = anchoring.context_of(text, candidate.start, candidate.end)
    span = Span(
        source=source,
        start=candidate.start,
        end=candidate.end,
        quote=text[candidate.start : candidate.end],
        prefix=span_prefix,
        suffix=span_suffix,
        created_by=user,
    )
    _attribute(span, user)
    span.save()
    return span, True


def span_delete(*, span: Span, user=None) -> None:
    """A span used as evidence cannot be deleted: a claim would lose its citation.

    Evidence citing the span concurrently is caught by the database's foreign key, and
    answered the same way.
    """
    try:
        with transaction.atomic():
            _attribute(span, user)
            span.delete()
    except (ProtectedError, IntegrityError) as error:
        raise Conflict(span_delete_problem(span) or SPAN_IN_USE, code="span_in_use") from error


SPAN_IN_USE = "This span is used as evidence; remove the evidence first."


def span_delete_problem(span: Span) -> str | None:
    """Why ``span_delete`` would refuse ``span``: claims cite it."""
    return SPAN_IN_USE if span.evidence.exists() else None
