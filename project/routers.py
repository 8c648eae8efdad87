"""Read replicas with read-your-writes.

With ``DATABASE_REPLICA_URLS`` set, ``settings.DATABASES`` holds ``replica1``,
``replica2``...: streaming replicas of ``default``. ``ReplicaRouter`` sends a read to one
of them, except when the read must see the primary:

- writes always go to the primary (``db_for_write``), and so does ``select_for_update``;
- inside a transaction on the primary (every service runs in one: the workflow's checks,
  the locks, the re-reads) every read goes to the primary too;
- a request that writes (any method but GET/HEAD/OPTIONS, or a GET that happened to write)
  reads the primary from start to end;
- bookkeeping is no write of the caller's: the cache's and throttles' tables, and what runs
  in ``with bookkeeping():`` (the feed numbering its events, which any reader does);
- for ``REPLICA_PIN_SECONDS`` after a request wrote, the same user's requests read the
  primary, so that a person never sees their change vanish behind replication lag. The
  user is recognised by a signed cookie (the browser that wrote), and by markers in the
  cache (shared by every server when ``CACHE_URL`` names a shared cache): one keyed by a
  digest of the credential that wrote (a session, an API token), and one for the user,
  found from any of their credentials by a digest the cache maps to them once they have
  used it (a token used by a script, then the same person's browser).

A replica that does not answer (refused, down, silent past ``REPLICA_CONNECT_TIMEOUT``, or
a kept connection to it that does not answer a query within that time) is left out by the
process for ``REPLICA_RETRY_SECONDS``: reads go to another replica, or to
the primary, and one read then tries it again. A shared cache that does not answer leaves
read-your-writes to its cookie (``project.cache.shared_cache_answers``).

``ReadYourWritesMiddleware`` keeps the per-request flag, in a context variable.
"""

from __future__ import annotations

import hashlib
import logging
import random
import select
import threading
import time
from contextvars import ContextVar

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connections
from django.utils.functional import empty
from psycopg import pq
from redis.exceptions import RedisError

from project.authentication import TOKEN_SCHEMES, api_credential
from project.cache import THROTTLE_TABLE, shared_cache_answers, shared_cache_failed

logger = logging.getLogger(__name__)

PRIMARY = "default"
# The app label of Django's database cache's rows (``django.core.cache.backends.db``).
_DATABASE_CACHE = "django_cache"
PIN_COOKIE = "cb_primary"
_PIN_SALT = "claimbase.read-your-writes"
_READ_PREFIXES = ("SELECT", "SAVEPOINT", "RELEASE", "ROLLBACK", "SET ", "SHOW", "EXPLAIN")

_read_primary: ContextVar[bool] = ContextVar("read_primary", default=False)
_bookkeeping: ContextVar[bool] = ContextVar("bookkeeping", default=False)
# One replica per request, so that its queries read one consistent state.
_request_replica: ContextVar[str | None] = ContextVar("request_replica", default=None)
# When the request began (``time.monotonic``): its first read asks the replica's kept
# connection whether it answers (``_confirm``).
_request_began: ContextVar[float] = ContextVar("request_began", default=0.0)


def replica_aliases() -> list[str]:
    return [alias for alias in settings.DATABASES if alias.startswith("replica")]


# Replicas that did not answer, and until when (``time.monotonic``) this process leaves them out.
_left_out: dict[str, float] = {}


# A kept connection to a replica is asked whether it answers (``_standby_within``) before a
# read, when it last answered longer ago than this, or in an earlier request.
CONFIRMED_FOR_SECONDS = 1.0


def _standby_within(connection, seconds: float) -> bool | None:
    """Whether the server of ``connection`` (a PostgreSQL one, kept open and idle) is a
    standby (``pg_is_in_recovery()``), asked and awaited here with a deadline; None if it
    does not answer within ``seconds``. A replica whose server hangs (a frozen machine, a
    stopped process) keeps its connections open, and a read on one waited for ever, with
    the thread that made it (Django's health check too: it has no deadline). Raises
    ``DatabaseError`` if it answers with an error."""
    pgconn = connection.connection.pgconn
    if pgconn.transaction_status != pq.TransactionStatus.IDLE:
        return True  # in the middle of something of its own: not ours to interrupt
    deadline = time.monotonic() + seconds
    pgconn.send_query(b"SELECT pg_is_in_recovery()")
    while pgconn.flush():
        if not select.select([], [pgconn.socket], [], max(0.0, deadline - time.monotonic()))[1]:
            return None
    while True:
        pgconn.consume_input()
        if not pgconn.is_busy():
            break
        if not select.select([pgconn.socket], [], [], max(0.0, deadline - time.monotonic()))[0]:
            return None
    results = []
    while (result := pgconn.get_result()) is not None:
        results.append(result)
    if [result.status for result in results] != [pq.ExecStatus.TUPLES_OK]:  # an error (its end, say)
        raise DatabaseError(pgconn.error_message.decode("utf-8", "replace"))
    return results[0].get_value(0, 0) == b"t"


def _mirrors_primary(alias: str) -> bool:
    """Whether the alias names the primary's own database (a test's mirror)."""
    mine, primary = connections[alias].settings_dict, connections[PRIMARY].settings_dict
    return all(mine.get(key) == primary.get(key) for key in ("HOST", "PORT", "NAME"))


def _confirm(alias: str) -> None:
    """Connects to the replica ``alias`` if need be, and raises ``DatabaseError`` if its
    connection does not answer within ``REPLICA_CONNECT_TIMEOUT`` (``_standby_within``), or
    its server is no standby (promoted: its reads would never see the primary's writes
    again). Asks a kept connection at most once a ``CONFIRMED_FOR_SECONDS``, and once in
    each request; a connection that broke (a restart) is made anew. This is the replicas'
    health check (Django's own, which has no deadline, is off for them)."""
    connection = connections[alias]
    if connection.vendor != "postgresql":
        connection.ensure_connection()
        return
    confirmed_at = getattr(connection, "claimbase_confirmed_at", 0.0)
    if connection.connection is not None and confirmed_at > max(_request_began.get(), time.monotonic() - CONFIRMED_FOR_SECONDS):
        return
    seconds = float(getattr(settings, "REPLICA_CONNECT_TIMEOUT", 3))
    for _attempt in range(2):
        connection.ensure_connection()  # within its connect_timeout
        try:
            standby = _standby_within(connection, seconds)
        except Exception as error:  # noqa: BLE001 - a connection that broke: once more, anew
            connection.close()
            broken = error
            continue
        break
    else:
        raise DatabaseError(f"its connection broke ({broken})")
    if standby is None:
        connection.close()
        raise DatabaseError(f"its connection did not answer a query within {seconds:g} s")
    if not standby and not _mirrors_primary(alias):
        connection.close()
        raise DatabaseError("it is no standby (promoted?): it would never see the primary's writes")
    connection.claimbase_confirmed_at = time.monotonic()


# The replicas a thread of this process is asking again, their period left out over: the
# other threads read elsewhere meanwhile, not all waiting on a replica still frozen.
_asking: set[str] = set()
_asking_lock = threading.Lock()


def _leave_out(alias: str, why: object) -> None:
    seconds = float(getattr(settings, "REPLICA_RETRY_SECONDS", 30))
    _left_out[alias] = time.monotonic() + seconds
    logger.error("Replica %s does not answer (%s): its reads go elsewhere for %g s.", alias, why, seconds)


def answers(alias: str) -> bool:
    """Whether the replica ``alias`` may serve a read: connected and answering, or connecting
    within its ``connect_timeout``, unless it failed in the last ``REPLICA_RETRY_SECONDS``
    (then one thread of the process asks it again, and the others go on without it)."""
    until = _left_out.get(alias)
    if until is not None:
        if until > time.monotonic():
            return False
        with _asking_lock:
            if alias in _asking:
                return False
            _asking.add(alias)
    try:
        _confirm(alias)
    except DatabaseError as error:
        _leave_out(alias, error)
        return False
    finally:
        if until is not None:
            with _asking_lock:
                _asking.discard(alias)
    _left_out.pop(alias, None)
    return True


# What a replica answers when the read itself was sound and it failed, which the primary
# will answer: its server shutting down (57P01-57P03, a restart), a conflict with the
# replay of the primary's changes (40001, 40P01: a standby cancels a read that holds up
# replication), and the connection's own failures (08...).
_FAILED_ON_THE_REPLICA = ("57P01", "57P02", "57P03", "40001", "40P01", "08")


def _failed_on_the_replica(wrapper, error: Exception) -> bool:
    raw = wrapper.connection
    if raw is None or raw.closed or getattr(raw, "broken", False):
        return True
    return (getattr(error.__cause__, "sqlstate", None) or "").startswith(_FAILED_ON_THE_REPLICA)


def read_on_the_primary_if_the_replica_fails(execute, sql, params, many, context):
    """An execute wrapper of every replica connection (``watch_replica_reads``): a read
    the replica fails (its server restarting under the query, its connection lost, a
    recovery conflict) is sent to the primary, and the cursor gives the primary's rows; the
    replica is left out (``REPLICA_RETRY_SECONDS``). A query that ran when a replica
    restarted had been a 500. Not for a read the primary could not repeat as it was: a
    server-side cursor (``iterator()``), many statements, or one in a transaction."""
    try:
        return execute(sql, params, many, context)
    except DatabaseError as error:
        wrapper, cursor = context["connection"], context["cursor"]
        server_side = getattr(cursor.cursor, "name", None)
        if many or wrapper.in_atomic_block or server_side or not _failed_on_the_replica(wrapper, error):
            raise
        _leave_out(wrapper.alias, error)
        wrapper.close()  # broken: made anew when the replica is asked again (``answers``)
        primary = connections[PRIMARY].cursor()
        primary.execute(sql, params)
        cursor.cursor = primary.cursor  # the wrapper's rows, its description, its row count
        return cursor.cursor


def watch_replica_reads(sender, connection, **kwargs) -> None:
    """``connection_created``: a new connection to a PostgreSQL replica has its reads
    repeated on the primary when the replica fails them
    (``read_on_the_primary_if_the_replica_fails``)."""
    if connection.alias.startswith("replica") and connection.vendor == "postgresql":
        if read_on_the_primary_if_the_replica_fails not in connection.execute_wrappers:
            connection.execute_wrappers.insert(0, read_on_the_primary_if_the_replica_fails)


class ReplicaRouter:
    """Reads to a random replica unless the primary must answer (see the module)."""

    def __init__(self, replicas: list[str] | None = None):
        self.replicas = replica_aliases() if replicas is None else replicas

    def db_for_read(self, model, **hints) -> str:
        if not self.replicas or _read_primary.get() or connections[PRIMARY].in_atomic_block:
            return PRIMARY
        if model._meta.app_label == _DATABASE_CACHE:
            # The database cache holds read-your-writes' own markers: written on the primary
            # by the request that wrote, they are read there, not behind a replica's lag.
            return PRIMARY
        instance = hints.get("instance")
        came_from = instance._state.db if instance is not None else None
        if came_from is not None and (came_from == PRIMARY or answers(came_from)):
            # Refreshes and related rows come from where the instance came: an object read
            # or written on the primary stays there (a service's result, say); one read on
            # a replica since left out, elsewhere.
            return came_from
        chosen = _request_replica.get()
        if chosen is None or not answers(chosen):
            others = [alias for alias in self.replicas if alias != chosen]
            chosen = next((alias for alias in random.sample(others, len(others)) if answers(alias)), PRIMARY)
            if _request_replica.get() is not None:
                _request_replica.set(chosen)  # the rest of the request reads there too
        return chosen

    def db_for_write(self, model, **hints) -> str:
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints) -> bool:
        return True  # replicas hold the same rows as the primary

    def allow_migrate(self, db, app_label, model_name=None, **hints) -> bool:
        return db == PRIMARY  # replicas receive the primary's schema by replication


class _Flag:
    """``with`` it, its context variable is true within the block."""

    flag: ContextVar[bool]

    def __enter__(self):
        self._token = self.flag.set(True)

    def __exit__(self, *exc):
        self.flag.reset(self._token)


class read_primary(_Flag):
    """``with read_primary():`` every read in the block goes to the primary."""

    flag = _read_primary


class bookkeeping(_Flag):
    """``with bookkeeping():`` the writes in the block are not the caller's: they neither
    send the rest of the request to the primary nor pin the caller there (no cookie, no
    marker). For work any request may do on the way, such as numbering the feed's events;
    a read that must see what the block wrote asks for the primary itself (``read_primary``)."""

    flag = _bookkeeping


def _is_write(sql: str) -> bool:
    statement = sql.lstrip().upper()
    return not statement.startswith(_READ_PREFIXES) or " FOR UPDATE" in statement or " FOR NO KEY UPDATE" in statement


def _cache_tables() -> tuple[str, ...]:
    """The tables of database caches, and the throttles' counters beside them: every
    request writes there, and such a write is bookkeeping, not a change that the caller's
    next reads must see."""
    tables = [
        options["LOCATION"]
        for options in settings.CACHES.values()
        if options.get("BACKEND", "").endswith("DatabaseCache") and options.get("LOCATION")
    ]
    return (*tables, THROTTLE_TABLE) if tables else ()


def _is_bookkeeping(sql: str, tables: tuple[str, ...]) -> bool:
    return any(table in sql for table in tables)


def _pin_key(credential: str) -> str:
    return "read-primary:" + hashlib.sha256(credential.encode("utf-8", "surrogatepass")).hexdigest()


def _authorization_key(authorization: str) -> str:
    """The pin of an ``Authorization`` header, as the API reads it: its scheme in any case
    ("Token", "token"; "Bearer", which carries the same tokens, as "token"), its parts
    separated by any white space."""
    scheme, *rest = authorization.split(None, 1) or [""]
    scheme = "token" if scheme.lower() in TOKEN_SCHEMES else scheme.lower()
    return _pin_key(f"{scheme} {''.join(rest).strip()}")


def _credential_key(request) -> str | None:
    # The credential the API reads: a proxy's Basic beside it, or alone, names no caller
    # (``project.authentication``), and the session decides as if it were not there.
    if authorization := api_credential(request.META.get("HTTP_AUTHORIZATION", "")):
        return _authorization_key(authorization)
    session = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
    return _pin_key(session) if session else None


def _session_key(request) -> str | None:
    """The pin of the session the request holds once answered (a login replaces the one
    it came with), without loading it; None without one."""
    session_key = getattr(request.__dict__.get("session"), "session_key", None)
    return _pin_key(session_key) if session_key else None


def _user_pin_key(user_id) -> str:
    return f"read-primary:user:{user_id}"


def _whose_key(credential_key: str) -> str:
    """The key under which the cache keeps whose a credential is (its user's id)."""
    return "read-primary-user:" + credential_key.split(":", 1)[1]


# How long the cache remembers whose a credential is, after its last use.
_WHOSE_SECONDS = 24 * 3600


def _shared(method, *args):
    """``cache.method(*args)``, or None while the shared cache does not answer: read-your-
    writes then keeps to its cookie, and no request fails for it."""
    if not shared_cache_answers():
        return None
    try:
        return method(*args)
    except RedisError as error:
        shared_cache_failed(error, "read-your-writes keeps to its cookie")
        return None


def issued(request, authorization: str) -> None:
    """Tell read-your-writes that this request issued a credential (``Token <key>``): if
    issuing it wrote, the reads made with it are pinned too. A token created now is on the
    primary only, and a replica that lags would refuse it (401) for a moment. Only its pin
    (a digest) is kept on the request: an error report shows a request's attributes."""
    request.claimbase_issued_pins = [*getattr(request, "claimbase_issued_pins", ()), _authorization_key(authorization)]


class ReadYourWritesMiddleware:
    """Decides, per request, whether reads may go to a replica (see the module)."""

    SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

    def __init__(self, get_response):
        self.get_response = get_response
        self.enabled = bool(replica_aliases())

    def recently_wrote(self, request) -> tuple[bool, str | None]:
        """Whether this caller wrote in the last ``REPLICA_PIN_SECONDS`` (by its cookie, its
        credential, or its user), and the key of whose its credential is when the cache
        does not know it yet."""
        until = request.get_signed_cookie(PIN_COOKIE, default=None, salt=_PIN_SALT)
        by_cookie = until is not None and until.isdigit() and int(until) > time.time()
        key = _credential_key(request)
        if not key:
            return by_cookie, None
        # Whose the credential is, asked even when the cookie pins the request: a browser
        # used only while its cookie pinned it (the seconds after its login) was never
        # known as its user's, and a write by the same user's token then left it reading
        # a replica that lagged.
        found = _shared(cache.get_many, [_whose_key(key)] if by_cookie else [key, _whose_key(key)]) or {}
        user_id = found.get(_whose_key(key))
        unknown_whose = _whose_key(key) if user_id is None else None
        if by_cookie or found.get(key):
            return True, unknown_whose
        if user_id is None:
            return False, unknown_whose
        return bool(_shared(cache.get, _user_pin_key(user_id))), None

    def __call__(self, request):
        if not self.enabled:
            return self.get_response(request)
        wrote = request.method not in self.SAFE_METHODS
        pinned, unknown_whose = (False, None) if wrote else self.recently_wrote(request)
        token = _read_primary.set(wrote or pinned)
        replica_token = _request_replica.set(random.choice(replica_aliases()))
        began_token = _request_began.set(time.monotonic())

        cache_tables = _cache_tables()

        def watch(execute, sql, params, many, context):
            nonlocal wrote
            if not wrote and not _bookkeeping.get() and _is_write(sql) and not _is_bookkeeping(sql, cache_tables):
                wrote = True
                _read_primary.set(True)
            return execute(sql, params, many, context)

        try:
            with connections[PRIMARY].execute_wrapper(watch):
                response = self.get_response(request)
        finally:
            _read_primary.reset(token)
            _request_replica.reset(replica_token)
            _request_began.reset(began_token)
        user_id = _user_id(request)
        if unknown_whose and user_id is not None:
            _shared(cache.set, unknown_whose, user_id, _WHOSE_SECONDS)
        if wrote:
            self.remember_write(request, response, user_id)
        return response

    def remember_write(self, request, response, user_id=None) -> None:
        seconds = int(getattr(settings, "REPLICA_PIN_SECONDS", 5))
        until = str(int(time.time()) + seconds)
        response.set_signed_cookie(
            PIN_COOKIE, until, salt=_PIN_SALT, max_age=seconds, httponly=True,
            secure=settings.SESSION_COOKIE_SECURE, samesite="Lax",
        )
        keys = list(getattr(request, "claimbase_issued_pins", ()))
        if key := _credential_key(request):
            keys.append(key)
        if user_id is not None:
            keys.append(_user_pin_key(user_id))
            # The credential this request wrote with, known as the user's, and, when that is
            # its session, the session it holds now (a login begins a new one): a browser that
            # only writes, or is used only right after its login, is then pinned by its
            # user's other writes. A session sent beside a token (a browser's cookie with a
            # script's token) is not the writer's to claim.
            session = None if request.META.get("HTTP_AUTHORIZATION") else _session_key(request)
            known = {key, session} - {None}
            if known:
                _shared(cache.set_many, {_whose_key(credential): user_id for credential in known}, _WHOSE_SECONDS)
        if keys:
            _shared(cache.set_many, dict.fromkeys(keys, 1), seconds)


def _user_id(request):
    """The id of the user the request was made by, once it has been answered (the API's
    authentication sets it on the request), without a query: None if anonymous or never
    looked at."""
    user = request.__dict__.get("user")
    if user is None or getattr(user, "_wrapped", None) is empty:  # a session's user never loaded
        return None
    return user.pk if user.is_authenticated else None
