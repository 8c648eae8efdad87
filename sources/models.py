"""Sources (documents as they were read) and spans (exact passages of them)."""

from __future__ import annotations

import hashlib
import re
import uuid
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from project.bidi import isolated
from project.net import ascii_host, percent_encoded
from project.validation import one_line, readable

from .language import validate_tag

CONTEXT_LENGTH = 32
# Code points hashed per step: a long text is encoded a slice at a time, never copied whole.
_HASHED_SLICE = 1 << 20


# What a page that names a source shows of it. The others stay in the database: the text
# (up to ``MAX_SOURCE_MB``, which was read whole for every row of a page that cited it), and
# on SQLite every column stored after the text, which SQLite reads by walking the text's
# overflow pages (a span picker's 40 suggestions took 20 ms over 5 MB texts, 3 without).
NAMING_FIELDS = ("title", "url", "publisher", "authors", "published_on", "language", "kind", "reliability")


def with_source_titles(queryset, path: str = "source"):
    """``queryset`` with the sources at ``path`` joined for their ``NAMING_FIELDS``."""
    named = {"id", *NAMING_FIELDS}
    return queryset.select_related(path).defer(
        *(f"{path}__{field.name}" for field in Source._meta.concrete_fields if field.name not in named)
    )


# Query parameters that follow a reader, not the page: an address with them is the same page.
_TRACKING = re.compile(r"^(?:utm_[a-z]+|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|_ga|igshid)$", re.IGNORECASE)
_DEFAULT_PORTS = {"http": 80, "https": 443}


def url_key(url: str | None) -> str:
    """What two addresses of one page share, for finding a source recorded under another
    spelling of its URL: the scheme and host in lower case, without a default port, a
    fragment (never sent to the server), trackers' parameters (``utm_source``, ``fbclid``...)
    or empty ones (``?a=1&``); a host in Unicode as its ASCII (``net.ascii_host``). The path and the other parameters are kept as written, in
    their order (they may name another page), their escapes written one way (``_escapes_alike``). "" for no URL."""
    if not url:
        return ""
    try:
        parts = urlsplit(url.strip())
    except ValueError:  # "http://[::1": no URL to read; it is its own key (a form refuses it)
        return url.strip()[:URL_KEY_MAX_LENGTH]
    if not (parts.scheme and parts.netloc):  # no URL to read ("not a url"): its own key
        return url.strip()[:URL_KEY_MAX_LENGTH]
    try:
        port = parts.port
    except ValueError:
        port = None
    scheme = parts.scheme.lower()
    host = ascii_host(parts.hostname or "")
    host = f"[{host}]" if ":" in host else host  # an IPv6 address
    netloc = host if port in (None, _DEFAULT_PORTS.get(scheme)) else f"{host}:{port}"
    query = "&".join(
        _escapes_alike(item) for item in parts.query.split("&") if item and not _TRACKING.match(item.split("=", 1)[0])
    )
    # Cut to its column: lower case can lengthen a host ("İ" is two code points).
    return urlunsplit((scheme, netloc, _escapes_alike(parts.path or "/"), query, ""))[:URL_KEY_MAX_LENGTH]


_ESCAPE = re.compile("%([0-9A-Fa-f]{2})")
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")


def _escapes_alike(part: str) -> str:
    """A path or a query's item written one way whatever the escapes it was written with
    (RFC 3986 6.2.2): a letter past ASCII or a space as its UTF-8 escaped (``ü`` as
    ``%C3%BC``, as a fetch requests it), escapes in capitals, and a letter that needs none
    unescaped (``%7E`` as ``~``)."""

    def alike(match: re.Match) -> str:
        character = chr(int(match.group(1), 16))
        return character if character in _UNRESERVED else f"%{match.group(1).upper()}"

    return _ESCAPE.sub(alike, percent_encoded(part))


def sha256_of(text: str) -> str:
    """The SHA-256 of ``text`` as UTF-8."""
    digest = hashlib.sha256()
    for start in range(0, len(text), _HASHED_SLICE):
        digest.update(text[start : start + _HASHED_SLICE].encode("utf-8"))
    return digest.hexdigest()


# The longest URL a source records (what a page names as canonical, what is fetched).
URL_MAX_LENGTH = 2000
URL_KEY_MAX_LENGTH = URL_MAX_LENGTH + 1  # a URL without a path gains its "/"
# The largest offset a span's columns hold (PostgreSQL's integer).
MAX_OFFSET = 2**31 - 1


class Source(models.Model):
    """A document, stored verbatim: no stripping, no HTML interpretation."""

    class Kind(models.TextChoices):
        ARTICLE = "article", "Article"
        REPORT = "report", "Report"
        TRANSCRIPT = "transcript", "Transcript"
        DATASET = "dataset", "Dataset"
        OTHER = "other", "Other"

    class Reliability(models.TextChoices):
        # Admiralty (NATO) source grading.
        A = "A", "A: completely reliable"
        B = "B", "B: usually reliable"
        C = "C", "C: fairly reliable"
        D = "D", "D: not usually reliable"
        E = "E", "E: unreliable"
        F = "F", "F: reliability cannot be judged"

    # Its identity across databases (export and import); assigned once.
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    title = models.CharField(max_length=500, validators=[one_line, readable])
    url = models.URLField(max_length=URL_MAX_LENGTH, null=True, blank=True)
    # ``url_key(url)``: other spellings of a recorded URL are found by it (``url_owner``).
    url_key = models.CharField(max_length=URL_KEY_MAX_LENGTH, blank=True, default="", editable=False, db_index=True)
    publisher = models.CharField(max_length=300, blank=True, validators=[one_line])
    authors = models.CharField(max_length=500, blank=True, validators=[one_line])
    published_on = models.DateField(null=True, blank=True)
    retrieved_at = models.DateTimeField(default=timezone.now)
    language = models.CharField(max_length=35, default="en", help_text="BCP 47 tag", validators=[validate_tag])
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.ARTICLE)
    reliability = models.CharField(
        max_length=1, choices=Reliability.choices, default=Reliability.F
    )
    text = models.TextField(help_text="The full content, verbatim.")
    text_sha256 = models.CharField(max_length=64, editable=False)
    text_length = models.PositiveIntegerField(editable=False, default=0)
    notes = models.TextField(blank=True)
    # The file the text was extracted from, kept as it was read (``sources.ingestion``):
    # content-addressed by its SHA-256 in the default storage. Empty for pasted text.
    original = models.FileField(max_length=300, blank=True, editable=False)
    original_sha256 = models.CharField(max_length=64, blank=True, default="", editable=False)
    original_media_type = models.CharField(max_length=100, blank=True, default="", editable=False)
    # The encoding a text original was read in (``koi8-r``, ``windows-1252``, ``utf-8``),
    # which it is served with: a page's ``<meta charset>`` may be wrong, a text file says
    # nothing. Empty for a PDF, and for originals stored before it was kept (served as before).
    # A default in the database too: rows inserted by SQL naming the older columns get it.
    original_charset = models.CharField(max_length=40, blank=True, default="", db_default="", editable=False)
    original_size = models.PositiveBigIntegerField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["uid", "url_key"])  # url_key: derived from url

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["original_sha256"],
                condition=~Q(original_sha256=""),
                name="source_original_unique_when_set",
            ),
            models.UniqueConstraint(
                fields=["url"],
                condition=Q(url__isnull=False),
                name="source_url_unique_when_set",
                # "unique" files the error under the url field (forms, the API's 400).
                violation_error_code="unique",
                violation_error_message="A source with this URL already exists.",
            ),
            models.CheckConstraint(
                condition=Q(reliability__in=list("ABCDEF")), name="source_reliability_valid"
            ),
        ]
        indexes = [
            # The list's default order: a page is a walk of this index, not a sort of every source.
            models.Index(fields=["-created_at", "-id"], name="source_created"),
            models.Index(fields=["publisher"]),
            models.Index(fields=["kind"]),
            models.Index(fields=["language"]),
            models.Index(fields=["reliability"]),
            models.Index(fields=["published_on"]),
            models.Index(fields=["text_sha256"]),
        ]

    def __str__(self) -> str:
        return isolated(self.title)

    def save(self, *args, **kwargs):
        self.derive()
        super().save(*args, **kwargs)

    def derive(self) -> None:
        """Set what is derived from the other fields (``save`` does; so must a bulk insert):
        a blank URL as no URL (the uniqueness rule binds real addresses only), its key, and
        the text's hash and length."""
        if not self.url:
            self.url = None
        self.url_key = url_key(self.url)
        if isinstance(self.text, str):  # else an expression the database reads (sources.services)
            self.measure_text()

    def measure_text(self) -> None:
        """Set the text's hash and length from the text."""
        self.text_sha256 = sha256_of(self.text)
        self.text_length = len(self.text)


class Span(models.Model):
    """An exact passage of a source: ``quote == source.text[start:end]`` while anchored."""

    class AnchorState(models.TextChoices):
        ANCHORED = "anchored", "Anchored"
        RELOCATED = "relocated", "Relocated"
        ORPHANED = "orphaned", "Orphaned"

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="spans", db_index=False)  # (source, start)
    start = models.PositiveIntegerField(help_text="Code point offset, inclusive.")
    end = models.PositiveIntegerField(help_text="Code point offset, exclusive.")
    quote = models.TextField()
    prefix = models.CharField(max_length=CONTEXT_LENGTH, blank=True)
    suffix = models.CharField(max_length=CONTEXT_LENGTH, blank=True)
    anchor_state = models.CharField(
        max_length=10, choices=AnchorState.choices, default=AnchorState.ANCHORED
    )
    # For an orphaned span: where a fuzzy match thinks the words went. Offered to a
    # reviewer, never applied by itself.
    suggested_start = models.PositiveIntegerField(null=True, blank=True)
    suggested_end = models.PositiveIntegerField(null=True, blank=True)
    suggestion_score = models.FloatField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["uid"])

    class Meta:
        ordering = ["source_id", "start", "end", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(start__gte=0), name="span_start_not_negative"),
            models.CheckConstraint(condition=Q(start__lt=F("end")), name="span_start_before_end"),
            models.CheckConstraint(
                condition=Q(anchor_state__in=["anchored", "relocated", "orphaned"]),
                name="span_anchor_state_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["source", "start"]),
            models.Index(fields=["anchor_state"]),
        ]

    def __str__(self) -> str:
        """The quote, then where it is: its source's title and its offsets, as span pickers
        show it (their queries join the source, without its text: ``with_source_titles``)."""
        quote = isolated(self.quote if len(self.quote) <= 60 else self.quote[:57] + "...")
        title = self.source_title
        title = title if len(title) <= 50 else title[:47] + "..."
        return f"“{quote}” — {isolated(title)}, {self.start}–{self.end}"

    @property
    def source_title(self) -> str:
        """The source's title; asked alone when the source is not at hand, whose text
        (up to ``MAX_SOURCE_MB``) would come with it."""
        if Span.source.is_cached(self):
            return self.source.title
        return Source.objects.filter(pk=self.source_id).values_list("title", flat=True).first() or ""

    @property
    def is_orphaned(self) -> bool:
        return self.anchor_state == self.AnchorState.ORPHANED

    def clean(self) -> None:
        super().clean()
        if self.start is None or self.end is None or not self.source_id:
            return
        text = self.source.text
        if not 0 <= self.start < self.end <= len(text):
            raise ValidationError(
                f"Offsets must satisfy 0 <= start < end <= {len(text)} (the source's length)."
            )
        if not self.is_orphaned and text[self.start : self.end] != self.quote:
            raise ValidationError("The quote differs from the source text at these offsets.")
