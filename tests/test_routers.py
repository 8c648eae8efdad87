"""The replica router and read-your-writes, without a replica: the decisions themselves.

(tests/replicas/ runs the same rules against a real PostgreSQL streaming replica.)
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.db import connection, transaction
from django.conf import settings
from django.http import HttpResponse
from django.test import RequestFactory

from claims.models import Claim
from project import routers
from project.routers import ReadYourWritesMiddleware, ReplicaRouter, read_primary

factory = RequestFactory()


@pytest.fixture
def with_replica(monkeypatch, settings, django_db_blocker):
    settings.REPLICA_PIN_SECONDS = 5
    # The pins live in the shared cache; an in-memory one stands in for it here, so that these
    # tests of the router need no database.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    monkeypatch.setattr(routers, "replica_aliases", lambda: ["replica1"])
    monkeypatch.setattr(routers, "answers", lambda alias: True)  # a stand-in: no replica to connect to
    with django_db_blocker.unblock():
        cache.clear()
    yield ReplicaRouter(["replica1"])
    with django_db_blocker.unblock():
        cache.clear()


def _middleware(router: ReplicaRouter, action=None) -> tuple[ReadYourWritesMiddleware, list[str]]:
    """A middleware around a view that records where each of its reads would go."""
    decisions: list[str] = []

    def view(request):
        decisions.append(router.db_for_read(Claim))
        if action:
            action()
            decisions.append(router.db_for_read(Claim))
        return HttpResponse("ok")

    return ReadYourWritesMiddleware(view), decisions


def test_reads_go_to_a_replica_and_writes_to_the_primary(with_replica):
    assert with_replica.db_for_read(Claim) == "replica1"
    assert with_replica.db_for_write(Claim) == "default"


def test_without_replicas_everything_reads_the_primary():
    assert ReplicaRouter([]).db_for_read(Claim) == "default"


def test_migrations_run_on_the_primary_only(with_replica):
    assert with_replica.allow_migrate("default", "claims")
    assert not with_replica.allow_migrate("replica1", "claims")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_reads_inside_a_transaction_go_to_the_primary(with_replica):
    # Every service runs in one: the workflow's checks see the primary, never a replica.
    with transaction.atomic():
        assert with_replica.db_for_read(Claim) == "default"
    assert with_replica.db_for_read(Claim) == "replica1"


def test_read_primary_pins_a_block(with_replica):
    with read_primary():
        assert with_replica.db_for_read(Claim) == "default"
    assert with_replica.db_for_read(Claim) == "replica1"


def test_an_anonymous_get_reads_a_replica_and_pins_nothing(with_replica):
    middleware, decisions = _middleware(with_replica)
    response = middleware(factory.get("/api/v1/claims/"))
    assert decisions == ["replica1"]
    assert routers.PIN_COOKIE not in response.cookies


def test_a_request_that_writes_reads_the_primary_throughout_and_pins_the_caller(with_replica):
    middleware, decisions = _middleware(with_replica)
    response = middleware(factory.post("/api/v1/claims/", HTTP_AUTHORIZATION="Token abc"))
    assert decisions == ["default"]
    assert response.cookies[routers.PIN_COOKIE]["max-age"] == 5

    # The same browser (cookie) and the same token (cache) read the primary for a while.
    follow = factory.get("/api/v1/claims/1/")
    follow.COOKIES[routers.PIN_COOKIE] = response.cookies[routers.PIN_COOKIE].value
    middleware(follow)
    middleware(factory.get("/api/v1/claims/1/", HTTP_AUTHORIZATION="Token abc"))
    middleware(factory.get("/api/v1/claims/1/", HTTP_AUTHORIZATION="Token someone-else"))
    assert decisions == ["default", "default", "default", "replica1"]


def _as(user, request):
    """``request`` with a session cookie, answered as ``user`` (as the API's authentication
    sets the user on the request)."""
    request.COOKIES[settings.SESSION_COOKIE_NAME] = f"session-of-{user.pk}"
    return request


def _viewing(router: ReplicaRouter, decisions: list[str]):
    """``view_as(user)``: a middleware around a view answered as ``user``, which records
    where its read would go."""

    def view_as(user):
        def view(request):
            request.user = user
            decisions.append(router.db_for_read(Claim))
            return HttpResponse("ok")
        return ReadYourWritesMiddleware(view)

    return view_as


def test_a_write_with_one_credential_pins_the_same_users_other_credentials(with_replica):
    """Read-your-writes is per user: a claim created with a token must not vanish from the
    same person's browser. A credential is known as the user's once it has been used."""
    decisions: list[str] = []
    analyst, other = User(pk=7, username="analyst"), User(pk=8, username="other")

    view_as = _viewing(with_replica, decisions)

    view_as(analyst)(_as(analyst, factory.get("/admin/")))  # the browser, used before
    view_as(other)(_as(other, factory.get("/admin/")))
    view_as(analyst)(factory.post("/api/v1/claims/", HTTP_AUTHORIZATION="Token analysts-script"))
    view_as(analyst)(_as(analyst, factory.get("/admin/claims/claim/")))
    view_as(other)(_as(other, factory.get("/admin/claims/claim/")))
    assert decisions == ["replica1", "replica1", "default", "default", "replica1"]


def _browser_pinned(cookie: str, request):
    request.COOKIES[routers.PIN_COOKIE] = cookie
    return request


def test_a_browser_used_only_while_its_login_pinned_it_is_pinned_by_its_users_script(with_replica):
    """The seconds after a login, every read of the browser is pinned by the login's cookie;
    its credential must still become known as its user's, or a claim the same person's
    script creates later vanishes from that browser behind a lagging replica."""
    decisions: list[str] = []
    analyst = User(pk=7, username="analyst")

    def view(request):
        request.user = analyst
        decisions.append(with_replica.db_for_read(Claim))
        return HttpResponse("ok")

    middleware = ReadYourWritesMiddleware(view)
    login = middleware(factory.post("/admin/login/"))  # anonymous: no credential of the user yet
    cookie = login.cookies[routers.PIN_COOKIE].value
    middleware(_browser_pinned(cookie, _as(analyst, factory.get("/admin/"))))
    cache.delete_many([routers._user_pin_key(7)])  # the login's pin over
    middleware(factory.post("/api/v1/claims/", HTTP_AUTHORIZATION="Token analysts-script"))
    middleware(_as(analyst, factory.get("/api/v1/claims/1/")))  # the browser, its cookie expired
    assert decisions == ["default", "default", "default", "default"]


def test_a_browser_that_only_writes_is_pinned_by_its_users_script(with_replica):
    """A session that has only written (and a login, which begins a new session) is known
    as its user's from those writes."""
    decisions: list[str] = []
    analyst = User(pk=7, username="analyst")

    def view(request):
        request.user = analyst
        request.session = type("Session", (), {"session_key": "after-login"})()
        decisions.append(with_replica.db_for_read(Claim))
        return HttpResponse("ok")

    middleware = ReadYourWritesMiddleware(view)
    middleware(factory.post("/admin/login/"))  # the login: its answer's session is "after-login"
    cache.delete_many([routers._user_pin_key(7)])
    middleware(factory.post("/api/v1/claims/", HTTP_AUTHORIZATION="Token analysts-script"))
    browser = factory.get("/api/v1/claims/1/")
    browser.COOKIES[settings.SESSION_COOKIE_NAME] = "after-login"
    middleware(browser)
    assert decisions == ["default", "default", "default"]


def test_a_write_with_a_token_beside_another_users_session_does_not_claim_the_session(with_replica):
    """A browser logged in as one user, sending another's token (an API console's
    "Authorize"): the session stays its own user's, whose other writes still pin it."""
    decisions: list[str] = []
    analyst, reviewer = User(pk=7, username="analyst"), User(pk=8, username="reviewer")

    view_as = _viewing(with_replica, decisions)

    view_as(analyst)(_as(analyst, factory.get("/admin/")))  # the browser, known as the analyst's
    cache.delete_many([routers._user_pin_key(7)])
    mixed = _as(analyst, factory.post("/api/v1/claims/", HTTP_AUTHORIZATION="Token reviewers-token"))
    mixed.session = type("Session", (), {"session_key": f"session-of-{analyst.pk}"})()
    view_as(reviewer)(mixed)
    cache.delete_many([routers._user_pin_key(8), routers._authorization_key("Token reviewers-token")])
    view_as(analyst)(factory.post("/api/v1/claims/", HTTP_AUTHORIZATION="Token analysts-script"))
    view_as(analyst)(_as(analyst, factory.get("/api/v1/claims/1/")))
    assert decisions == ["replica1", "default", "default", "default"]


def _issue_token(key: str):
    """A POST to a view that issues ``Token <key>``, through the middleware; the request."""
    seen = []

    def issue(request):
        routers.issued(request, f"Token {key}")
        seen.append(request)
        return HttpResponse("ok")

    ReadYourWritesMiddleware(issue)(factory.post("/api/v1/auth/token/"))
    return seen[0]


def test_a_token_issued_by_a_request_that_wrote_reads_the_primary_from_its_first_use(with_replica):
    """The token request carries no credential of its own: the token it created is pinned,
    or a replica that lags would answer its first use with a 401."""
    _issue_token("fresh")
    middleware, decisions = _middleware(with_replica)
    middleware(factory.get("/api/v1/claims/", HTTP_AUTHORIZATION="Token fresh"))
    middleware(factory.get("/api/v1/claims/", HTTP_AUTHORIZATION="Token someone-else"))
    assert decisions == ["default", "replica1"]


def test_a_token_is_pinned_however_its_scheme_is_written_and_never_kept_in_clear(with_replica):
    request = _issue_token("fresh")
    middleware, decisions = _middleware(with_replica)
    middleware(factory.get("/api/v1/claims/", HTTP_AUTHORIZATION="token  fresh"))
    middleware(factory.get("/api/v1/claims/", HTTP_AUTHORIZATION="TOKEN\tfresh"))
    assert decisions == ["default", "default"]
    # An error report shows the request's META and attributes: only a digest is there.
    assert "fresh" not in repr(request.META) and "fresh" not in repr(vars(request))


@pytest.mark.django_db
def test_the_token_endpoint_tells_read_your_writes_what_it_issued(client, django_user_model, monkeypatch):
    told = []
    monkeypatch.setattr(routers, "issued", lambda request, credential: told.append(credential))
    django_user_model.objects.create_user("token-user", password="a-password-of-length")
    response = client.post("/api/v1/auth/token/", {"username": "token-user", "password": "a-password-of-length"}, content_type="application/json")
    assert response.status_code == 200 and told == [f"Token {response.json()['token']}"]


def test_the_pin_expires(with_replica, monkeypatch):
    middleware, decisions = _middleware(with_replica)
    response = middleware(factory.post("/x/"))
    later = routers.time.time() + 6
    monkeypatch.setattr(routers.time, "time", lambda: later)
    follow = factory.get("/x/")
    follow.COOKIES[routers.PIN_COOKIE] = response.cookies[routers.PIN_COOKIE].value
    middleware(follow)
    assert decisions == ["default", "replica1"]


def test_a_forged_pin_cookie_is_ignored(with_replica):
    middleware, decisions = _middleware(with_replica)
    forged = factory.get("/x/")
    forged.COOKIES[routers.PIN_COOKIE] = "9999999999"
    middleware(forged)
    assert decisions == ["replica1"]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_get_that_writes_reads_the_primary_after_its_write_and_pins_the_caller(with_replica):
    middleware, decisions = _middleware(
        with_replica, action=lambda: User.objects.create(username="written-by-a-get")
    )
    response = middleware(factory.get("/x/"))
    assert decisions == ["replica1", "default"]
    assert routers.PIN_COOKIE in response.cookies


@pytest.mark.parametrize(
    "sql, is_write",
    [
        ("SELECT 1", False),
        ('  select "claims_claim"."id" FROM x', False),
        ("SELECT id FROM claims_claim WHERE id = 1 FOR UPDATE", True),
        ("SAVEPOINT s1", False),
        ("INSERT INTO x VALUES (1)", True),
        ("UPDATE x SET a = 1", True),
        ("DELETE FROM x", True),
        ("WITH t AS (DELETE FROM x RETURNING 1) SELECT 1", True),
    ],
)
def test_statements_that_count_as_writes(sql, is_write):
    assert routers._is_write(sql) is is_write


def test_the_router_is_installed():
    from django.db import router

    assert any(isinstance(item, ReplicaRouter) for item in router.routers)
    assert connection.alias == "default"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_throttle_count_on_the_database_is_bookkeeping_and_pins_nothing(monkeypatch, settings):
    # Every request counts its caller in the throttles' table: that write must not send
    # the rest of the request, and the caller's next ones, to the primary.
    settings.REPLICA_PIN_SECONDS = 5
    monkeypatch.setattr(routers, "replica_aliases", lambda: ["replica1"])
    monkeypatch.setattr(routers, "answers", lambda alias: True)
    router = ReplicaRouter(["replica1"])
    middleware, decisions = _middleware(router, action=lambda: cache.count_hit("caller", 60))
    try:
        response = middleware(factory.get("/x/"))
    finally:
        cache.clear()  # the counters' table is not a model's: the flush leaves it alone
    assert decisions == ["replica1", "replica1"]
    assert routers.PIN_COOKIE not in response.cookies


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_numbering_the_feed_is_bookkeeping_and_pins_nothing(with_replica):
    # A feed poll numbers the events committed since the last reader: no write of the
    # caller's, so neither the rest of its request nor its next ones go to the primary.
    from feed.models import Event
    from feed.sequencing import sequence_pending

    Event.objects.create(type="claim.published", claim=1, version=1, public=True)
    middleware, decisions = _middleware(with_replica, action=sequence_pending)
    response = middleware(factory.get("/api/v1/changes/"))
    assert Event.objects.using("default").get().seq == 1  # it did number
    assert decisions == ["replica1", "replica1"]
    assert routers.PIN_COOKIE not in response.cookies


@pytest.mark.django_db(transaction=True, serialized_rollback=True, databases="__all__")  # a real replica, where .ci/run has one
def test_the_feed_reads_the_primary_right_after_numbering_and_a_replica_otherwise(monkeypatch, client):
    # The numbers it just gave are on the primary; a replica may not have them yet.
    from feed import selectors
    from feed.models import Event

    where = []
    real = selectors.events_after

    def events_after(*args, **kwargs):
        where.append("primary" if routers._read_primary.get() else "any")
        return real(*args, **kwargs)

    monkeypatch.setattr(selectors, "events_after", events_after)
    Event.objects.create(type="claim.published", claim=1, version=1, public=True)
    first = client.get("/api/v1/changes/").json()
    if "replica1" in settings.DATABASES:  # a real one: the next read is served there, once it has replayed
        from tests.replicas.test_replica_reads import caught_up

        caught_up()
    second = client.get("/api/v1/changes/").json()
    assert [event["seq"] for event in first["results"]] == [1] and second["results"] == first["results"]
    assert where == ["primary", "any"]


def test_the_database_cache_is_read_on_the_primary_where_its_markers_are_written(with_replica):
    """Without CACHE_URL the pins live in the database cache: read from a replica, the
    marker a write just left was not there yet, and the writer read the lagging replica."""
    from django.core.cache.backends.db import DatabaseCache

    cache_rows = DatabaseCache("claimbase_cache", {}).cache_model_class
    assert with_replica.db_for_read(cache_rows) == "default"
    assert with_replica.db_for_read(Claim) == "replica1"


def test_a_proxys_basic_credential_is_no_caller_of_its_own_for_read_your_writes():
    """The pin is the credential the API reads: the token beside a proxy's Basic (two
    headers joined), or, with Basic alone, the session. The whole header had been the key:
    a write with the token beside Basic did not pin the token's reads, and a browser behind
    the proxy was pinned by the proxy's password instead of its session."""
    joined = factory.get("/", HTTP_AUTHORIZATION="Basic eDp5, Token analysts-script")
    assert routers._credential_key(joined) == routers._credential_key(
        factory.get("/", HTTP_AUTHORIZATION="Token analysts-script")
    )
    browser = factory.get("/", HTTP_AUTHORIZATION="Basic eDp5")
    browser.COOKIES[settings.SESSION_COOKIE_NAME] = "after-login"
    assert routers._credential_key(browser) == routers._pin_key("after-login")
