"""Another spelling of a recorded URL is the same page: its fragment, a tracker's parameters,
the capitals of its scheme and host, a default port, an empty parameter. Every path that
records a URL asks the one rule (``sources.services.url_owner``)."""

from __future__ import annotations

import importlib
import json

import pytest
from django.apps import apps as global_apps

from sources.models import Source, url_key
from sources.services import source_create, source_update

pytestmark = pytest.mark.django_db

RECORDED = "https://news.example.org/2010/06/votes?id=7"
VARIANTS = [
    "https://news.example.org/2010/06/votes?id=7#comments",
    "HTTPS://News.Example.ORG/2010/06/votes?id=7",
    "https://news.example.org:443/2010/06/votes?id=7",
    "https://news.example.org/2010/06/votes?id=7&utm_source=newsletter&utm_medium=email",
    "https://news.example.org/2010/06/votes?fbclid=abc&id=7&",
]
OTHER_PAGES = [
    "https://news.example.org/2010/06/votes?id=8",
    "https://news.example.org/2010/06/Votes?id=7",  # paths are case-sensitive
    "http://news.example.org/2010/06/votes?id=7",  # another scheme may be another server
    "https://news.example.org:8443/2010/06/votes?id=7",
    "https://news.example.org/2010/06/votes?id=7&page=2",
]


@pytest.mark.parametrize("variant", VARIANTS)
def test_variants_of_a_url_share_its_key(variant):
    assert url_key(variant) == url_key(RECORDED)


@pytest.mark.parametrize("other", OTHER_PAGES)
def test_other_pages_have_keys_of_their_own(other):
    assert url_key(other) != url_key(RECORDED)


@pytest.mark.parametrize("written", ["http://[::1", "http://[zz]/", "not a url"])
def test_a_url_that_cannot_be_read_is_its_own_key_never_an_error(written):
    assert url_key(written) == written.strip()


def test_an_import_line_with_an_unreadable_url_is_refused_by_its_line(tmp_path, analyst):
    from claims.transfer.importing import import_claims
    from claims.transfer.records import ImportRefused

    path = tmp_path / "bad-url.jsonl"
    path.write_text(json.dumps({"type": "source", "title": "T", "text": "A text.", "url": "http://[::1"}) + "\n")
    with pytest.raises(ImportRefused) as refused:
        import_claims(str(path), user=analyst)
    assert "url" in str(refused.value.errors[0]) and not Source.objects.exists()


def test_keys_of_ipv6_hosts_and_of_the_longest_urls_fit():
    assert url_key("http://[2001:DB8::1]:80/a#x") == "http://[2001:db8::1]/a"
    assert url_key("http://[2001:db8::1]:8080/a") == "http://[2001:db8::1]:8080/a"
    longest = "http://" + "İ" * 40 + ".example/" + "a" * (2000 - 56)
    assert len(longest) == 2000 and len(url_key(longest)) <= Source._meta.get_field("url_key").max_length


@pytest.mark.parametrize("variant", VARIANTS)
def test_a_source_at_another_spelling_of_a_recorded_url_is_refused_naming_it(client_for, analyst, variant):
    recorded = source_create(user=analyst, title="Votes", text="The text.", url=RECORDED)
    response = client_for(analyst).post("/api/v1/sources/", {"title": "Again", "text": "Other text.", "url": variant}, format="json")
    assert response.status_code == 409 and f"#{recorded.pk}" in response.json()["errors"]["url"][0]
    upload = client_for(analyst).post(
        "/api/v1/sources/", {"file": _file(b"Uploaded text."), "url": variant}, format="multipart"
    )
    assert upload.status_code == 409 and upload.json()["code"] == "duplicate_url"
    assert upload.json()["existing_source"]["id"] == recorded.pk
    assert Source.objects.count() == 1


def test_a_source_keeps_its_url_and_an_edit_to_a_taken_spelling_is_refused(client_for, analyst):
    recorded = source_create(user=analyst, title="Votes", text="The text.", url=RECORDED)
    other = source_create(user=analyst, title="Other", text="Other text.", url=OTHER_PAGES[0])
    assert client_for(analyst).patch(f"/api/v1/sources/{recorded.pk}/", {"url": VARIANTS[0]}, format="json").status_code == 200
    response = client_for(analyst).patch(f"/api/v1/sources/{other.pk}/", {"url": VARIANTS[1]}, format="json")
    assert response.status_code == 409 and "url" in response.json()["errors"]
    with pytest.raises(Exception) as refused:
        source_update(source=other, user=analyst, url=VARIANTS[3])
    assert getattr(refused.value, "code", None) == "duplicate_url"


def test_an_import_finds_a_source_by_another_spelling_of_its_url(tmp_path, analyst):
    from claims.transfer.importing import import_claims
    from claims.transfer.records import ImportRefused

    recorded = source_create(user=analyst, title="Votes", text="The text of the page.", url=RECORDED)
    line = {"type": "source", "title": "Same page", "text": "A different text.", "url": VARIANTS[0]}
    path = tmp_path / "variant.jsonl"
    path.write_text(json.dumps(line) + "\n")
    with pytest.raises(ImportRefused) as refused:
        import_claims(str(path), user=analyst)
    assert f"url {VARIANTS[0]} belongs to a source with a different text" in str(refused.value.errors[0])
    assert list(Source.objects.values_list("pk", flat=True)) == [recorded.pk]


def test_the_migration_gives_each_recorded_url_its_key(analyst):
    source = source_create(user=analyst, title="Votes", text="The text.", url=VARIANTS[1])
    Source.objects.filter(pk=source.pk).update(url_key="")
    importlib.import_module("sources.migrations.0011_source_url_key").fill_url_keys(global_apps, None)
    assert Source.objects.get(pk=source.pk).url_key == url_key(RECORDED)


def _file(data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("page.txt", data, content_type="text/plain")


def test_the_exact_url_of_a_recorded_source_is_refused_naming_it_as_another_spelling_is(client_for, analyst):
    """The same answer for the URL as recorded and for another spelling of it: the model's
    own uniqueness check of the exact spelling named no source."""
    recorded = source_create(user=analyst, title="Votes", text="The text.", url=RECORDED)
    client = client_for(analyst)
    for url in (RECORDED, VARIANTS[0]):
        response = client.post("/api/v1/sources/", {"title": "Again", "text": "Other text.", "url": url}, format="json")
        assert response.status_code == 409 and response.json()["code"] == "duplicate_url", response.json()
        assert f"#{recorded.pk}" in response.json()["errors"]["url"][0]
        assert response.json()["existing_source"]["id"] == recorded.pk
    other = source_create(user=analyst, title="Other", text="Other text.")
    response = client.patch(f"/api/v1/sources/{other.pk}/", {"url": RECORDED}, format="json")
    assert response.status_code == 409 and response.json()["existing_source"]["id"] == recorded.pk


@pytest.mark.parametrize(
    ("written", "same_as"),
    [
        ("https://BÜCHER.example/s/1", "https://xn--bcher-kva.example/s/1"),
        ("https://bücher.example/s/1", "https://XN--BCHER-KVA.example/s/1"),
        ("https://faß.de/s/1", "https://xn--fa-hia.de/s/1"),  # IDNA 2008, as browsers: not fass.de
    ],
)
def test_a_host_written_in_unicode_is_the_same_host_as_its_ascii(written, same_as):
    assert url_key(written) == url_key(same_as)
    assert url_key("https://faß.de/s/1") != url_key("https://fass.de/s/1")


def test_a_host_that_has_no_ascii_form_is_its_own_key_never_an_error():
    # A label of 71 characters has no ASCII form (63 at most): the host is kept as written.
    host = "a" + "ü" * 70 + ".example"
    assert url_key(f"https://{host.upper()}/x") == f"https://{host}/x"


def test_a_source_at_the_ascii_spelling_of_a_unicode_host_is_refused_naming_it(client_for, analyst):
    recorded = source_create(user=analyst, title="Bücher", text="The text.", url="https://bücher.example/s/1")
    response = client_for(analyst).post(
        "/api/v1/sources/", {"title": "Again", "text": "Other.", "url": "https://xn--bcher-kva.example/s/1"}, format="json"
    )
    assert response.status_code == 409 and response.json()["existing_source"]["id"] == recorded.pk


def test_the_migration_gives_unicode_hosts_their_ascii_key(analyst):
    source = source_create(user=analyst, title="Bücher", text="The text.", url="https://Bücher.example/s/ü")
    Source.objects.filter(pk=source.pk).update(url_key="https://bücher.example/s/ü")  # as 0011 wrote it
    importlib.import_module("sources.migrations.0012_url_key_ascii_hosts").ascii_hosts(global_apps, None)
    assert Source.objects.get(pk=source.pk).url_key == "https://xn--bcher-kva.example/s/%C3%BC"


@pytest.mark.parametrize("recorded, again", [
    ("https://example.org/d/ü.txt", "https://example.org/d/%C3%BC.txt"),  # as typed, as a fetch records it
    ("https://example.org/d/%C3%BC.txt", "https://example.org/d/%c3%bc.txt"),  # escapes in either case
    ("https://example.org/r?q=café", "https://example.org/r?q=caf%C3%A9"),
    ("https://example.org/a~b", "https://example.org/a%7Eb"),  # a letter that needs no escape
])
def test_a_url_written_with_other_escapes_is_the_same_page(client_for, analyst, recorded, again):
    """A fetch records "/d/%C3%BC.txt" where a JSON create kept "/d/ü.txt" as typed: the
    same page was recorded twice, whichever came first."""
    first = source_create(user=analyst, title="First", text="The text.", url=recorded)
    response = client_for(analyst).post("/api/v1/sources/", {"title": "Again", "text": "Other.", "url": again}, format="json")
    assert response.status_code == 409 and response.json()["existing_source"]["id"] == first.pk
    assert url_key(recorded) == url_key(again)


def test_other_escapes_stay_other_pages():
    assert url_key("https://example.org/a%2Fb") != url_key("https://example.org/a/b")  # an escaped slash names another page
    assert url_key("https://example.org/a?x=1%262") != url_key("https://example.org/a?x=1&2")


def test_the_migration_gives_escaped_urls_their_key_written_one_way(analyst):
    source = source_create(user=analyst, title="Escaped", text="The text.", url="https://example.org/d/ü.txt")
    Source.objects.filter(pk=source.pk).update(url_key="https://example.org/d/ü.txt")  # as 0013 left it
    importlib.import_module("sources.migrations.0014_url_key_escapes_alike").escapes_alike(global_apps, None)
    assert Source.objects.get(pk=source.pk).url_key == "https://example.org/d/%C3%BC.txt"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_spellings_of_one_url_created_at_the_same_moment_make_one_source(analyst):
    """The database holds each spelling once; the page once is the services' rule, which a
    concurrent writer of another spelling could pass between its check and its insert."""
    from project.errors import DomainError
    from tests.workflow.test_concurrency import race

    spellings = ["https://bücher.example/a", "HTTPS://XN--BCHER-KVA.EXAMPLE/a", "https://bücher.example:443/a?utm_source=1",
                 "https://bücher.example/a#x", "https://bücher.example/a?fbclid=2", "https://BÜCHER.example/a"]
    results = race(len(spellings), lambda index: source_create(user=analyst, title=f"T{index}", text="A text.", url=spellings[index]))
    created = [value for outcome, value in results if outcome == "ok"]
    refused = [value for outcome, value in results if outcome == "domain"]
    assert len(created) == 1 and len(refused) == len(spellings) - 1, results
    assert all(isinstance(error, DomainError) and error.code == "duplicate_url" for error in refused)
    assert Source.objects.filter(url_key=url_key(spellings[0])).count() == 1


@pytest.mark.parametrize(
    "url, said",
    [
        ("https://maria:Spring2026!@intranet.example.org/other", "user name or password"),
        ("https://token@example.org/x", "user name or password"),
        # The field takes a port of up to five digits; fetching refused ``:99999`` alone.
        ("http://example.org:99999/a", "port is out of range"),
        ("https://example.org:65536/", "port is out of range"),
    ],
)
def test_a_url_a_source_cannot_record_is_refused_on_any_path(client_for, analyst, url, said):
    """Anonymous callers read a source's URL; fetching refuses a URL with a user name or
    password, and a page's own canonical URL holding one is not taken: given as a field, it
    is refused too. So is a port no address can have."""
    client = client_for(analyst)
    created = client.post("/api/v1/sources/", {"title": "T", "text": "A text.", "url": url}, format="json")
    assert created.status_code == 400 and said in created.json()["errors"]["url"][0]
    upload = client.post("/api/v1/sources/", {"file": _file(b"Uploaded text."), "url": url}, format="multipart")
    assert upload.status_code == 400 and said in upload.json()["errors"]["url"][0]
    source = source_create(user=analyst, title="T", text="A text.", url="https://example.org:65535/clean")
    changed = client.patch(f"/api/v1/sources/{source.pk}/", {"url": url}, format="json")
    assert changed.status_code == 400 and said in changed.json()["errors"]["url"][0]
    assert not Source.objects.filter(url=url).exists()
