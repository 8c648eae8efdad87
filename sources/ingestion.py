"""Sources created from files and from the web, with the original kept.

``source_create_from_file`` and ``source_create_from_url`` are the one entry point of the
API, the admin and ``import_sources``. Each reads the original, refuses a duplicate (the
same bytes, or a URL already recorded: 409 naming the existing source) before extracting
anything, extracts the text and metadata (``sources.ingest``), stores the original in the
default storage under its SHA-256, and creates the source through ``source_create`` in one
transaction. Fields the caller gives win over the metadata the document carries.

A crash after the original is stored and before the source is committed leaves a file
that no source names; it is content-addressed, so the next attempt with the same bytes
reuses it, and nothing else refers to it.
"""

from __future__ import annotations

import hashlib
import logging
import mimetypes
import os
import re
from typing import Any, BinaryIO
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.validators import URLValidator
from django.db import IntegrityError, router, transaction
from django.utils import timezone
from tld import get_fld

from project import net
from project.bidi import without_direction_controls
from project.errors import Conflict, InvalidInput, invalid_field, storage_full_said
from project.validation import as_one_line, says_something

from . import ingest
from .ingest.html import host_name
from .ingest.normalise import without_lone_surrogates
from .models import URL_MAX_LENGTH, Source, url_key
from .services import check_source_fields, check_source_text, existing_source_body, source_create, url_owner

CHUNK = 1024 * 1024

logger = logging.getLogger(__name__)

_EXTENSIONS = {ingest.detect.PLAIN: ".txt", ingest.detect.MARKDOWN: ".md", ingest.detect.HTML: ".html", ingest.detect.PDF: ".pdf"}
ACCEPT = "text/html,application/xhtml+xml,application/pdf,text/markdown,text/plain;q=0.9,*/*;q=0.1"


def max_source_bytes() -> int:
    return int(settings.MAX_SOURCE_MB * 1024 * 1024)


def too_large_error(size: int | None = None) -> InvalidInput:
    limit = settings.MAX_SOURCE_MB
    said = f"The file is {size:,} bytes; " if size is not None else "The file is "
    return InvalidInput(
        f"{said}larger than the limit of {limit:g} MB (MAX_SOURCE_MB).",
        code="too_large",
        extra={"limit_bytes": max_source_bytes()},
    )


def _sha256(stream: BinaryIO) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    stream.seek(0)
    while chunk := stream.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
    stream.seek(0)
    return digest.hexdigest(), size


def _refuse_duplicate_original(sha256: str, stream: BinaryIO | None = None, size: int | None = None) -> None:
    """409 naming the source that holds these bytes. Given them (``stream``, hashed to
    ``sha256``), an original lost from storage, or damaged there, is restored first: the
    same bytes uploaded again are the way to repair it."""
    existing = (
        Source.objects.filter(original_sha256=sha256)
        .only("pk", "title", "url", "original", "original_sha256", "original_size", "original_media_type")
        .first()
    )
    if existing is None:
        return
    message = f"This original is already source #{existing.pk} (“{existing.title}”)."
    restorable = original_name_of(existing) == original_name(sha256, existing.original_media_type)
    if stream is not None and size == existing.original_size and restorable and original_problem(existing) is not None:
        try:
            name = store_original(stream, sha256=sha256, size=size, media_type=existing.original_media_type)
            _adopt(existing, name)
        except Exception:  # noqa: BLE001 - a restore that fails leaves the answer a 409
            logger.exception("Source %s: restoring its original from an upload of the same bytes failed", existing.pk)
        else:
            if not Source.objects.filter(pk=existing.pk).exists():
                stream.seek(0)  # deleted meanwhile, its file with it: these bytes are no one's original
                return
            logger.warning("Source %s: its original was restored from an upload of the same bytes", existing.pk)
            message += " Its original file was missing or damaged in storage, and is restored from these bytes."
    raise Conflict(message, code="duplicate_original", extra=existing_source_body(existing))


def original_name_of(source: Source) -> str:
    """Where a source's original is stored; for one known by its hash only (imported without
    its bytes), where it would be."""
    return source.original.name or original_name(source.original_sha256, source.original_media_type)


def _adopt(source: Source, name: str) -> None:
    """A source known by its hash only takes the file now stored under its name."""
    if not source.original:
        Source.objects.filter(pk=source.pk, original_sha256=source.original_sha256).update(original=name)
        source.original.name = name
        logger.warning("Source %s: its original, known by its hash only, is now the stored %s", source.pk, name)


def _storage_unreachable() -> bool:
    """Whether the default storage keeps files in a local folder that is not there, or not
    readable (an unmounted volume): then no original is "missing", the storage is."""
    try:
        location = default_storage.path("")
    except NotImplementedError:
        return False
    return not (os.path.isdir(location) and os.access(location, os.R_OK | os.X_OK))


def original_problem(source: Source, *, quick: bool = False) -> str | None:
    """What is wrong with a source's stored original, if anything: "missing" (no file where
    its record says), "damaged" (a file whose bytes are not the ones recorded; ``quick``:
    whose size is not), or "unreadable" (the storage failed to answer: a permission, a
    disk, a remote store's error; logged).

    A source known by its hash only is "missing" until a file holding those bytes is where
    its original would be stored (uploaded again, or put there from a backup): then it
    takes that file (its hash checked whatever ``quick`` says)."""
    name = original_name_of(source)
    quick = quick and bool(source.original)
    try:
        if not default_storage.exists(name):
            if _storage_unreachable():
                logger.error("Source %s: its original %s cannot be looked for: the storage's folder is not there", source.pk, name)
                return "unreadable"
            return "missing"
        if quick:
            return None if default_storage.size(name) == source.original_size else "damaged"
        if not _holds(name, source.original_sha256, source.original_size):
            return "damaged" if source.original else "missing"
    except Exception:  # noqa: BLE001 - whatever the storage backend raises
        logger.exception("Source %s: its original %s could not be read from storage", source.pk, name)
        return "unreadable"
    _adopt(source, name)
    return None


def _refuse_duplicate_url(url: str | None, *, named_by: str = "") -> None:
    """409 naming the source that records ``url`` (or another spelling of it: the message
    gives the one it records). ``named_by`` ("page", "file"): the URL is the one the
    document gives as its address, not one the caller gave: the message says so."""
    existing = url_owner(url)
    if existing is not None:
        recorded = "" if existing.url == url else f", recorded as {existing.url}"
        said = f"The {named_by} gives {url} as its address, and a source with it" if named_by else f"A source with the URL {url}"
        raise Conflict(
            f"{said} already exists: #{existing.pk} (“{existing.title}”{recorded}).",
            code="duplicate_url",
            extra=existing_source_body(existing),
        )


def _valid_url(url: str) -> str:
    """``url`` if a source may record it (http or https, short enough, a port in range,
    without a user name or password), else "": a document's own address that is not is left out, as any of its
    metadata that cannot be recorded (a file whose front matter named such a URL had been
    refused whole)."""
    if len(url) > URL_MAX_LENGTH:
        return ""
    try:
        URLValidator(schemes=["http", "https"])(url)
        parts = urlsplit(url)
        parts.port  # a port past 65535 (the validator takes five digits)
    except (ValidationError, ValueError):
        return ""
    if parts.username is not None or parts.password is not None:
        return ""
    return url


MEDIA_TYPES = tuple(_EXTENSIONS)


def original_name(sha256: str, media_type: str) -> str:
    """Where the default storage keeps the original with these bytes."""
    return f"originals/{sha256[:2]}/{sha256}{_EXTENSIONS.get(media_type, '')}"


def _holds(name: str, sha256: str, size: int) -> bool:
    """Whether the stored file ``name`` has exactly the bytes of that hash."""
    try:
        if default_storage.size(name) != size:
            return False
        with default_storage.open(name, "rb") as stored:
            return _sha256(stored) == (sha256, size)
    except FileNotFoundError:
        return False


class _HashedAsRead:
    """A stream whose bytes are hashed as they are read from its start: what a storage
    saves is checked against the hash taken before, without reading it back. Wrapped in
    Django's ``File``, whose ``size`` and ``closed`` ask the object wrapped: those are the
    stream's (a storage may send exactly ``size`` bytes), never the running count."""

    def __init__(self, stream: BinaryIO, size: int):
        self.stream, self.size = stream, size
        self.seek(0)

    @property
    def closed(self) -> bool:
        return self.stream.closed

    def read(self, size: int = -1) -> bytes:
        chunk = self.stream.read(size)
        self._digest.update(chunk)
        self._count += len(chunk)
        return chunk

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        position = self.stream.seek(offset, whence)
        self._digest, self._count, self._from_start = hashlib.sha256(), 0, position == 0
        return position

    def tell(self) -> int:
        return self.stream.tell()

    def seekable(self) -> bool:
        return True

    def read_whole(self) -> tuple[str, int] | None:
        """The hash and size of what was read, if it was read from the start to the end."""
        if not self._from_start or self.stream.read(1):
            return None
        return self._digest.hexdigest(), self._count


def file_changed_error() -> InvalidInput:
    return InvalidInput(
        "The file changed while it was being read: its bytes are not the ones hashed and "
        "extracted. Nothing was created; try again once the file is complete.",
        code="file_changed",
    )


def _touch(name: str) -> None:
    """A stored file reused for a new source is new again: ``check_originals
    --delete-orphans`` leaves young files alone, and this one is about to be named by a
    source not yet committed. A storage without local paths keeps its own times; a time
    that cannot be renewed is logged (an orphan sweep meanwhile might take the file for
    old), and the upload goes on."""
    try:
        path = default_storage.path(name)
    except NotImplementedError:
        return
    try:
        os.utime(path)
    except OSError:
        logger.warning("Original %s reused, but its modification time could not be renewed", name, exc_info=True)


def store_original(stream: BinaryIO, *, sha256: str, size: int, media_type: str) -> str:
    """Save the bytes under their hash (once: the same bytes are one file) and return the
    storage name. A file already under that name that no source names (a crash between the
    store and the commit, a failed transaction, a deleted source) is reused only if it holds
    these very bytes: one left cut short (by a disk that filled up while an earlier version
    wrote it in place) is replaced, never served as the original.

    What is saved is hashed as the storage reads it: a file that changed on disk since it
    was hashed (``import_sources`` reading a file still being written) is refused
    (400 ``file_changed``), never kept as the original of another hash."""
    name = original_name(sha256, media_type)
    if default_storage.exists(name):
        if _holds(name, sha256, size):
            _touch(name)
            return name
        default_storage.delete(name)
    hashed = _HashedAsRead(stream, size)
    saved = default_storage.save(name, File(hashed, name=os.path.basename(name)))
    read = hashed.read_whole()
    if read == (sha256, size) or (read is None and _holds(saved, sha256, size)):
        if saved != name:
            # A concurrent writer stored the same bytes first; the storage kept both.
            default_storage.delete(saved)
        return name
    default_storage.delete(saved)
    raise file_changed_error()


def same_site(url: str, read_from: str) -> bool:
    """Whether ``url`` is on the site of ``read_from``: the same registrable domain, by the
    Public Suffix List (``m.example.com`` and ``www.example.com`` are one site;
    ``bbc.co.uk`` and ``evil.co.uk``, or ``a.github.io`` and ``b.github.io``, are two), or
    for an address or a single-label host, the same host."""
    site, read_site = get_fld(url, fail_silently=True), get_fld(read_from, fail_silently=True)
    if site is None or read_site is None:
        return site is None and read_site is None and urlsplit(url).hostname == urlsplit(read_from).hostname
    return site == read_site


# A site's home page: its root or an index file ("/index.html"), with no query.
_HOME_PATH = re.compile(r"/?(?:index\.\w{1,5})?", re.IGNORECASE)


def _is_home_page(url: str) -> bool:
    """Whether ``url`` is a site's home page, spelt any way (``url_key``: a tracker's
    parameters, a fragment, capitals aside)."""
    parts = urlsplit(url_key(url))
    return not parts.query and _HOME_PATH.fullmatch(parts.path) is not None


def _home_page_for_another(url: str, read_from: str = "", asked: str = "") -> bool:
    """Whether ``url``, a document's canonical URL, is its site's home page given as the
    address of another of its pages: sites that name their home page as every page's
    canonical URL would have each article recorded as the home page, and every later one
    refused as a duplicate of the first. A page read from the home page itself (asked for
    at ``/`` and redirected to ``/en/``, or read as ``/index.html``) keeps it; an uploaded
    file, which says nothing of where it was read, does not."""
    if not _is_home_page(url):
        return False
    return not any(address and _is_home_page(address) for address in (read_from, asked))


def fetched_title(url: str) -> str:
    """What names a fetched document that names itself nothing: its file's name without
    the extension, as an upload's (``/reports/annual-2024.pdf``: "annual-2024"), else its
    host; never the address itself, which names no document (``document_title``)."""
    parts = urlsplit(url)
    stem = title_of_file_name(unquote(parts.path.rstrip("/").rsplit("/", 1)[-1], errors="replace"))
    return stem if says_something(stem) else (parts.hostname or "")


def title_of_file_name(name: str) -> str:
    """What a file's name says of it, as a title: its name without the extension, bytes that
    were not UTF-8 shown as U+FFFD, without direction controls (which would turn the
    title's letters around). A name that is an extension alone (".txt", left of
    "\\u200b.txt" once the upload's parser takes the invisible character out), or of bytes
    that were not UTF-8 alone, says nothing."""
    name = without_direction_controls(without_lone_surrogates(name))
    if name.startswith(".") and "." not in name[1:] and mimetypes.guess_type(f"file{name}")[0] in _EXTENSIONS:
        return ""  # ".txt": a type's extension, naming nothing (".profile" names a file)
    stem = os.path.splitext(name)[0] if "." in name[1:] else name
    return stem if says_something(stem.replace("\ufffd", "")) else ""


def _fields(
    extraction: ingest.Extraction, given: dict[str, Any], *, fallback_title: str, fallback_url: str = "", read_from: str = "",
    asked: str = "",
) -> dict:
    """The source's fields: what the caller gave, then what the document says. A page read
    from the web names its canonical URL only on its own site: any page may claim any
    address, and a source recorded under another site's address would stand for that page
    (a later fetch of the real page is refused as a duplicate of it)."""
    found = extraction.metadata.as_fields()
    if "url" in found:
        found["url"] = _valid_url(found["url"])
        if found["url"] and (
            (read_from and not same_site(found["url"], read_from)) or _home_page_for_another(found["url"], read_from, asked)
        ):
            found["url"] = ""
    if read_from and extraction.metadata.publisher_from_url and not found.get("url"):
        # A publisher the page does not name is its canonical URL's host: it goes with that
        # URL (refused as another site's, or as too long), and the site read stands for it.
        found["publisher"] = host_name(read_from)
    if extraction.metadata.published_from_url and not found.get("url"):
        found.pop("published_on", None)  # a day the refused (or too long) URL alone gave
    if fallback_url and not found.get("url"):
        found["url"] = fallback_url
    fields = {name: value for name, value in found.items() if value}
    fields.update({name: value for name, value in given.items() if value not in (None, "")})
    if not fields.get("title"):
        # A name of invisible characters alone ("\u200b.txt") is no title (``readable``).
        title = as_one_line(fallback_title or "")[:500]
        fields["title"] = title if says_something(title) else "Untitled"
    return fields


def _create(
    *, user, stream: BinaryIO, sha256: str, size: int, extraction: ingest.Extraction, fields: dict, url_named_by: str = ""
) -> Source:
    """The source, its original stored first. What can be refused is checked before the
    file is stored (a refusal leaves nothing); a save that fails all the same (a concurrent
    request took the URL or the same bytes first) deletes the file it stored.
    ``url_named_by``: "page" or "file" when the URL is the one the document gave (a 409 for
    it says so, ``_refuse_duplicate_url``)."""
    _refuse_duplicate_url(fields.get("url"), named_by=url_named_by)
    original = None
    try:
        check_source_fields(**fields)
        check_source_text(extraction.text, from_file=True)
        name = store_original(stream, sha256=sha256, size=size, media_type=extraction.media_type)
        original = {
            "original": name,
            "original_sha256": sha256,
            "original_media_type": extraction.media_type,
            "original_size": size,
        }
        source = source_create(
            user=user, text=extraction.text, original={**original, "original_charset": extraction.charset}, **fields
        )
    except BaseException as error:
        if original is not None:
            _discard_original(stream, **original)
        if isinstance(error, IntegrityError):
            # A concurrent request committed the same original (or URL) first.
            _refuse_duplicate_original(sha256)
            _refuse_duplicate_url(fields.get("url"), named_by=url_named_by)
        elif isinstance(error, (InvalidInput, Conflict)):
            # Validation saw a concurrent upload of the same bytes (or URL) that committed
            # first: the save's own check (``duplicate_url``) or the model's (``invalid``, on ``url``).
            _refuse_duplicate_original(sha256)
            if error.code == "duplicate_url" or "url" in error.extra.get("errors", {}):
                _refuse_duplicate_url(fields.get("url"), named_by=url_named_by)
        raise
    transaction.on_commit(lambda: _keep_original(stream, **original), using=router.db_for_write(Source))
    return source


def _named_by_a_source(name: str) -> bool:
    return Source.objects.using(router.db_for_write(Source)).filter(original=name).exists()


def _delete_unless_named(name: str) -> bool:
    """Delete the stored file ``name`` unless a source names it; whether it was deleted."""
    if _named_by_a_source(name):
        return False
    default_storage.delete(name)
    return True


def _discard_original(stream: BinaryIO, *, original: str, original_sha256: str, original_size: int,
                      original_media_type: str) -> None:
    """Delete the file stored for a source that was not created: refused requests must not
    fill the disk. An upload of the same bytes under way may have found it stored and be
    committing a source that names it: the file is deleted, then looked for among the
    sources again, and stored again if one names it now (that upload checks once it committed,
    ``_keep_original``: whichever looks last finds the file gone, or the source there)."""
    try:
        if _delete_unless_named(original) and _named_by_a_source(original):
            store_original(stream, sha256=original_sha256, size=original_size, media_type=original_media_type)
    except Exception:  # noqa: BLE001 - the request's own error is the answer; check_originals sweeps what is left
        logger.exception("The original %s of a source that was not created could not be removed", original)


def discard_unnamed_originals(names: list[str]) -> None:
    """Delete the stored files ``names`` that no source names: those a refused import wrote
    (its rollback took the sources that named them)."""
    for name in names:
        try:
            _delete_unless_named(name)
        except Exception:  # noqa: BLE001 - the import's own error is the answer; check_originals sweeps what is left
            logger.exception("The original %s, written by a refused import, could not be removed", name)


def _keep_original(stream: BinaryIO, *, original: str, original_sha256: str, original_size: int,
                   original_media_type: str) -> None:
    """Once the source is committed: its file, which a refused upload of the same bytes may
    have deleted meanwhile (``_discard_original``), is stored again if it is gone."""
    try:
        if not default_storage.exists(original):
            logger.warning("The original %s was removed by a refused upload of the same bytes; stored again", original)
            store_original(stream, sha256=original_sha256, size=original_size, media_type=original_media_type)
    except Exception:  # noqa: BLE001 - the source is saved; check_originals reports a missing file
        logger.exception("The original %s could not be stored again", original)


@storage_full_said()
def source_create_from_file(
    *, user=None, stream: BinaryIO, filename: str = "", declared_type: str = "", charset: str = "", **given: Any
) -> Source:
    """A source from a file (a seekable binary stream). Refused: larger than
    ``MAX_SOURCE_MB`` (400 ``too_large``), the same bytes as an existing source's original
    (409 ``duplicate_original``), a URL already recorded (409 ``duplicate_url``), and
    whatever extraction refuses (400, see ``sources.ingest``). ``charset``: the one the
    file was sent with (a multipart part's), read as a page's HTTP charset. A full disk, where the
    original or a temporary file goes, is a 507 ``storage_full`` with nothing created."""
    # The size first (seekable streams tell it without reading): a huge file is refused
    # before it is hashed.
    stream.seek(0, os.SEEK_END)
    if stream.tell() > max_source_bytes():
        raise too_large_error(stream.tell())
    sha256, size = _sha256(stream)
    if size > max_source_bytes():
        raise too_large_error(size)
    _refuse_duplicate_original(sha256, stream, size)
    if not declared_type and filename:
        declared_type = mimetypes.guess_type(filename)[0] or ""
    extraction = ingest.extract(stream, declared_type=declared_type, filename=filename, charset=charset or None)
    # A file name that is not UTF-8 reaches us with its bytes escaped as lone surrogates
    # (os.fsdecode); Django's upload parser takes direction controls out of an upload's
    # name, import_sources had kept them: whatever path the file came by, the same title.
    stem = title_of_file_name(os.path.basename(filename))
    given.setdefault("retrieved_at", timezone.now())
    fields = _fields(extraction, given, fallback_title=stem)
    return _create(
        user=user, stream=stream, sha256=sha256, size=size, extraction=extraction, fields=fields,
        url_named_by="" if given.get("url") else "file",
    )


def _fetch_refused(error: net.FetchError) -> InvalidInput:
    message = error.message
    if error.code == "too_large":
        message += f" (MAX_SOURCE_MB is {settings.MAX_SOURCE_MB:g})"
    return InvalidInput(f"Could not fetch the URL: {message}", code=error.code, extra={"errors": {"url": [message]}})


def refuse_unfetchable_url(url: str) -> None:
    """``bad_url`` (400) for a URL that is never fetched (not http or https, no host, a
    user name or password): asked before any other refusal that would repeat the URL."""
    try:
        net.check_url(url)
    except net.FetchError as error:
        raise _fetch_refused(error) from error


# What an error status says, in words, after its number.
_STATUS_SAID = {
    401: ": the page asks for a login",
    403: ": the site refused to give the page (it may need a login, or refuse automated readers)",
    404: ": no page at this address",
    410: ": the page was removed",
    429: ": too many requests to the site; try again later",
    500: ": the site failed to answer",
    502: ": the site failed to answer",
    503: ": the site is unavailable for now; try again later",
    504: ": the site failed to answer in time",
}


def _is_a_page(status: int) -> bool:
    return 200 <= status < 300 and status not in (204, 205, 206)


def fetch(url: str) -> net.Response:
    """GET ``url`` with the fetching limits; errors as ``InvalidInput`` that say what
    happened (codes from ``project.net``: ``timeout``, ``too_large``,
    ``address_not_allowed``, ``unresolvable``, ``connection``, ``too_many_redirects``,
    ``bad_url``, ``unsupported_encoding``; and ``http_status``)."""
    try:
        response = net.request(
            "GET",
            url,
            headers={"Accept": ACCEPT},
            timeout=settings.SOURCE_FETCH_TIMEOUT,
            max_bytes=max_source_bytes(),
            max_redirects=5,
            allow_private=settings.SOURCE_FETCH_ALLOW_PRIVATE,
            # The body of an error status is not read: it is no page to keep, and one that
            # stalls had turned the server's answer into a timeout.
            read_body=_is_a_page,
        )
        if 200 <= response.status < 300:
            # A body sent gzipped although asked for none, undone within the same limit.
            response.file = net.decoded(response, max_bytes=max_source_bytes())
    except net.FetchError as error:
        raise _fetch_refused(error) from error
    if not _is_a_page(response.status):
        message = f"The server answered HTTP {response.status}{_STATUS_SAID.get(response.status, '')}."
        if response.status in net.REDIRECT_STATUSES:
            message = f"The server answered HTTP {response.status} without a Location."
        elif response.status in (204, 205):
            message = f"The server answered HTTP {response.status}: it sent no page to read."
        elif response.status == 206:
            # Asked for no range: a part of the page, which is never kept as the page.
            message = "The server answered HTTP 206: it sent part of the page, unasked."
        raise InvalidInput(
            f"Could not fetch the URL: {message}",
            code="http_status",
            extra={"status": response.status, "errors": {"url": [message]}},
        )
    return response


@storage_full_said()
def source_create_from_url(*, user=None, url: str, **given: Any) -> Source:
    """A source from a web page or document at ``url``, read now (``retrieved_at``, whatever
    ``given`` says). Its URL is the page's canonical URL (on the site read, and not the
    site's home page named by another page: ``_fields``), else the address it was read from
    after redirects; its title, if it gives none, its file's name (``fetched_title``).
    Refused as ``source_create_from_file`` refuses (a canonical URL already recorded is a
    409 that says the page gave it), and when the fetch fails (400, see ``fetch``)."""
    refuse_unfetchable_url(url)
    url = net.as_sent(url)  # the address as requested, and recorded
    if len(url) > URL_MAX_LENGTH:
        # Letters past ASCII take six characters each once percent-encoded: such an address
        # had been read, then recorded as no URL at all.
        detail = (
            f"The URL is {len(url):,} characters once written as it is sent (percent-encoded); a source "
            f"records at most {URL_MAX_LENGTH:,}."
        )
        raise invalid_field("url", detail, code="bad_url")
    _refuse_duplicate_url(url)
    response = fetch(url)
    retrieved_at = timezone.now()
    body = response.file  # in a temporary file if it is large: never held whole
    sha256, size = _sha256(body)
    _refuse_duplicate_original(sha256, body, size)
    path = response.url.split("?", 1)[0].rstrip("/")
    extraction = ingest.extract(
        body,
        declared_type=response.headers.get("content-type", ""),
        filename=path.rsplit("/", 1)[-1],
        charset=response.charset,
        url=response.url,
    )
    given["retrieved_at"] = retrieved_at
    fields = _fields(
        extraction, given, fallback_title=fetched_title(response.url), fallback_url=_valid_url(response.url),
        read_from=response.url, asked=url,
    )
    return _create(
        user=user, stream=body, sha256=sha256, size=size, extraction=extraction, fields=fields,
        url_named_by="" if fields.get("url") == _valid_url(response.url) else "page",
    )
