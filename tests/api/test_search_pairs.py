"""PostgreSQL: the pairs of adjacent words of each search document are kept beside it
(``claims_claim_pairs``), and a phrase query asks their GIN index first (``claims.search_index``,
``claims.search.phrase_pairs``). The pairs only make the search read fewer documents: it
finds exactly the claims whose words, read by PostgreSQL, match the query, as it did without
them. The reading of
PostgreSQL's text form of a query is pure Python and tested on every database."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from claims import services
from claims.models import Claim
from claims.search import phrase_pairs, search_claims
from sources.services import source_create

pytestmark = pytest.mark.django_db
on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's search documents")
UNPAIRED = "' (unpaired)'"


@pytest.mark.parametrize(
    "tsquery, expected",
    [
        ("'oil' <-> 'export'", "'oil export' | ' (unpaired)'"),
        ("'a' <-> 'b' <-> 'c' <2> 'd'", "'a b' & 'b c' | ' (unpaired)'"),  # a stop word between c and d
        ("'a' <2> 'b'", ""),
        ("'oil' <-> 'export' & 'gas'", "'oil export' | ' (unpaired)'"),
        ("'oil' <-> 'export' | 'gas'", ""),  # an alternative without a pair implies none
        ("( 'a' <-> 'b' | 'c' <-> 'd' ) & 'e'", "'a b' | 'c d' | ' (unpaired)'"),
        ("!( 'a' <-> 'b' )", ""),  # an excluded phrase implies nothing
        ("'x' & !( 'a' <-> 'b' ) & 'c' <-> 'd'", "'c d' | ' (unpaired)'"),
        ("'a' <-> ( 'b' <-> 'c' )", ""),  # not a chain of words: left alone
        ("'a':* <-> 'b'", ""),  # a prefix matches other words
        ("'a':AB <-> 'b'", ""),  # so does a weight
        ("'it''s' <-> 'a\\\\b'", "'it''s a\\\\b' | ' (unpaired)'"),  # quotes and backslashes kept
        ("'a' <-> 'a'", "'a a' | ' (unpaired)'"),
        ("", ""),
        ("'a' <-> ", ""),  # not a query: no condition, never a wrong one
        ("'a' <-> 'b' junk", ""),
        ("'a' <-> 'b' )", ""),
    ],
)
def test_the_pairs_a_query_implies(tsquery, expected):
    assert phrase_pairs(tsquery) == expected


def test_a_pair_too_long_to_be_a_lexeme_is_not_asked_for():
    long = "é" * 999  # 1,998 bytes: with a space and one more letter, 2,000 bytes, the most a pair may have
    assert phrase_pairs(f"'{long}' <-> 'b'") == f"'{long} b' | ' (unpaired)'"
    assert phrase_pairs(f"'{long}' <-> 'bc' <-> 'd'") == "'bc d' | ' (unpaired)'"


def _by_words(query: str) -> set[int]:
    """The claims whose text matches ``query`` read by PostgreSQL alone, without pairs."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id FROM claims_claim WHERE to_tsvector('english', text || ' ') @@ websearch_to_tsquery('english', %s)",
            [query],
        )
        return {row[0] for row in cursor.fetchall()}


def _found(query: str) -> set[int]:
    return set(search_claims(Claim.objects.all(), query).values_list("pk", flat=True))


WORDS = [
    "oil", "exports", "export", "the", "of", "gas", "S-300", "o'neil", "a\\b", "Russia", "Iran's",
    "oil-exports", "naïve", "日本", "2010", "x", "—", ",", "'", '"oil', "can't", "don\\'t",
]
words = st.lists(st.sampled_from(WORDS), min_size=1, max_size=4).map(" ".join)
term = st.one_of(
    words.map(lambda text: f'"{text}"'),
    st.sampled_from(WORDS),
    words.map(lambda text: f'-"{text}"'),
    st.sampled_from(WORDS).map(lambda word: f"-{word}"),
)
queries = st.lists(st.tuples(term, st.sampled_from([" ", " or ", " OR "])), min_size=1, max_size=3).map(
    lambda parts: "".join(text + joint for text, joint in parts).strip()
)
documents = st.lists(st.sampled_from(WORDS), min_size=1, max_size=14).map(" ".join)


@on_postgresql
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(texts=st.lists(documents, min_size=1, max_size=6), asked=st.lists(queries, min_size=1, max_size=4))
def test_a_search_finds_exactly_what_the_words_match(analyst, texts, asked):
    claims = [Claim.objects.create(text=text, author=analyst) for text in texts]
    try:
        for query in asked + [f'"{text}"' for text in texts]:
            assert _found(query) == _by_words(query), query
    finally:
        Claim.objects.filter(pk__in=[claim.pk for claim in claims]).delete()


def _claim_quoting_all_of(author, text: str) -> Claim:
    """A claim citing the whole of ``text`` (a new source), in spans of 5,000 code points or
    fewer, as long as a span may be, cut between words: its document is the whole text."""
    source = source_create(user=author, title="Long", text=text)
    evidence, start = [], 0
    while start < len(text):
        end = min(start + 5000, len(text))
        if end < len(text):
            end = text.rindex(" ", start, end)
        evidence.append(services.EvidenceInput(source=source, start=start, end=end))
        start = end + 1
    return services.claim_create(author=author, text="A long one.", evidence=evidence)


@on_postgresql
@pytest.mark.parametrize("filler", [16377, 16378, 16379, 16385])
def test_a_phrase_at_the_last_position_a_document_counts_is_found_as_the_words_match(analyst, filler):
    """Positions past 16,383 all count as 16,383: the pairs of a document pair a word with
    every word sharing the next position, as a phrase query matches them."""
    claim = _claim_quoting_all_of(analyst, "word " * filler + "oil exports gas oil")
    for query in ('"oil exports"', '"exports gas"', '"gas oil"', '"word oil"'):
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT document @@ websearch_to_tsquery('english', %s) FROM claims_claim_search WHERE claim_id = %s",
                [query, claim.pk],
            )
            by_words = cursor.fetchone()[0]
        assert (claim.pk in _found(query)) == by_words, query


LONG_WORD = "x" * 1900


def _text_past_the_pairs_limit() -> str:
    # After the claim's own "A long one." (positions 1 to 3), the long word at 16,382.
    return "w " * 16378 + LONG_WORD + " " + " ".join(chr(0x4E00 + index) for index in range(20_000))


@on_postgresql
def test_pairs_too_large_for_a_tsvector_are_replaced_by_the_mark_which_every_phrase_accepts(analyst):
    """Positions past 16,383 all count as 16,383, and the word before pairs with every word
    there: a long word, then thousands of different words, make megabytes of pairs from a
    text of 75,000 characters. The claim is written all the same (its pairs row holds the
    mark), and a phrase search reads its document as it would without pairs."""
    claim = _claim_quoting_all_of(analyst, _text_past_the_pairs_limit())
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT pairs = $${UNPAIRED}$$::tsvector FROM claims_claim_pairs WHERE claim_id = %s", [claim.pk])
        assert cursor.fetchone()[0] is True
    assert claim.pk in _found('"w w w"') and claim.pk not in _found(f'"{LONG_WORD} w"')
    for phrase in ('"w w"', f'"w {LONG_WORD}"', f'"{LONG_WORD} {chr(0x4E00)}"', f'"{LONG_WORD} w"'):
        assert (claim.pk in _found(phrase)) == (claim.pk in _by_words_of(claim, phrase)), phrase[:20]


def _by_words_of(claim, query: str) -> set[int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT claim_id FROM claims_claim_search WHERE claim_id = %s "
            "AND document @@ websearch_to_tsquery('english', %s)",
            [claim.pk, query],
        )
        return {row[0] for row in cursor.fetchall()}


@on_postgresql
def test_a_document_of_ordinary_size_has_its_pairs_beside_it_and_a_phrase_asks_for_them(analyst):
    claim = Claim.objects.create(text="Russia's oil exports grew; gas exports fell.", author=analyst)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT array_agg(lexeme ORDER BY lexeme) FROM claims_claim_pairs, unnest(pairs) WHERE claim_id = %s",
            [claim.pk],
        )
        # "Russia's" is "russia" and the stop word "s": Russia and oil are not adjacent.
        assert cursor.fetchone()[0] == ["export fell", "export grew", "gas export", "grew gas", "oil export"]
    assert _found('"oil exports"') == {claim.pk} and _found('"gas exports"') == {claim.pk}
    assert _found('"Russia\'s oil exports"') == {claim.pk}
    assert _found('"oil fell"') == set() and _found('"exports oil"') == set()


BEFORE = [("claims", "0017_notes_have_a_length")]
AFTER = [("claims", "0018_search_word_pairs")]


def _pairs_table() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('claims_claim_pairs') IS NOT NULL")
        return cursor.fetchone()[0]


def _pairs_of(claim_id: int) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT lexeme FROM claims_claim_pairs, unnest(pairs) WHERE claim_id = %s ORDER BY lexeme",
            [claim_id],
        )
        return [row[0] for row in cursor.fetchall()]


@on_postgresql
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_migration_gives_the_documents_written_before_it_their_pairs_and_takes_them_back(analyst, monkeypatch):
    migration = __import__("claims.migrations.0018_search_word_pairs", fromlist=["BATCH"])
    monkeypatch.setattr(migration, "BATCH", 2)  # several batches, and a last one cut short
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    try:
        old = executor.loader.project_state(BEFORE).apps
        Claim_ = old.get_model("claims", "Claim")
        texts = ["Oil exports rose.", "Gas exports fell.", "Nothing here.", "Oil exports fell.", "Iran exports oil."]
        ids = [Claim_.objects.create(text=text, author_id=analyst.pk).pk for text in texts]
        assert not _pairs_table()
        MigrationExecutor(connection).migrate(AFTER)
        assert _pairs_of(ids[0]) == ["export rose", "oil export"] and _pairs_of(ids[4]) == ["export oil", "iran export"]
        assert _found('"oil exports"') == {ids[0], ids[3]}
        MigrationExecutor(connection).migrate(BEFORE)
        assert not _pairs_table()
        Claim_.objects.create(text="Written without pairs.", author_id=analyst.pk)  # the refresh of 0014 again
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_proc WHERE proname IN ('claims_search_pairs_of', 'claims_search_pairs')")
            assert cursor.fetchone()[0] == 0
    finally:
        MigrationExecutor(connection).migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


AS_IN_0018 = [("claims", "0018_search_word_pairs")]
CHEAPER = [("claims", "0019_search_index_cheaper")]


def _definitions() -> dict[str, tuple[str, str]]:
    """The language and body of the pairs function and of the refresh, as the database has them."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT proname, lanname, prosrc FROM pg_proc JOIN pg_language l ON l.oid = prolang "
            "WHERE proname IN ('claims_search_pairs_of', 'claims_claim_search_refresh')"
        )
        return {name: (language, body) for name, language, body in cursor.fetchall()}


def _index_by_the_refresh(ids: list[int]) -> dict[int, tuple[str, list[str]]]:
    """Each claim indexed again by the database's own refresh: its document and pairs."""
    with connection.cursor() as cursor:
        for claim_id in ids:
            cursor.execute("SELECT claims_claim_search_refresh(%s)", [claim_id])
        cursor.execute("SELECT claim_id, document::text FROM claims_claim_search WHERE claim_id = ANY(%s)", [ids])
        documents = dict(cursor.fetchall())
    return {claim_id: (documents[claim_id], _pairs_of(claim_id)) for claim_id in ids}


@on_postgresql
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_migration_0019_indexes_for_less_work_and_gives_the_same_documents_and_pairs_both_ways(analyst):
    """Migration 0019 changes how the pairs and the content are computed (PL/pgSQL, the
    content built once), not what: claims with evidence, without, and past the pairs' limit
    get the same documents and pairs from the refresh either way."""
    texts = ["Russia's oil exports grew; gas exports fell.", "Nothing here.", "Iran exports oil to China."]
    ids = [Claim.objects.create(text=text, author=analyst).pk for text in texts]
    ids += [_claim_quoting_all_of(analyst, text).pk for text in ("Gas exports to Europe fell.", _text_past_the_pairs_limit())]
    assert _definitions()["claims_search_pairs_of"][0] == "plpgsql"
    assert "OFFSET 0" in _definitions()["claims_claim_search_refresh"][1]
    now = _index_by_the_refresh(ids)
    assert now[ids[0]][1] == ["export fell", "export grew", "gas export", "grew gas", "oil export"]
    assert "'europ'" in now[ids[3]][0] and "gas export" in now[ids[3]][1]
    assert now[ids[4]][1] == [UNPAIRED.strip("'")]
    try:
        MigrationExecutor(connection).migrate(AS_IN_0018)
        assert _definitions()["claims_search_pairs_of"][0] == "sql"
        assert "OFFSET 0" not in _definitions()["claims_claim_search_refresh"][1]
        assert _index_by_the_refresh(ids) == now
        MigrationExecutor(connection).migrate(CHEAPER)
        assert _definitions()["claims_search_pairs_of"][0] == "plpgsql"
        assert "OFFSET 0" in _definitions()["claims_claim_search_refresh"][1]
        assert _index_by_the_refresh(ids) == now
    finally:
        MigrationExecutor(connection).migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


def test_a_query_as_long_as_a_search_box_allows_is_read_without_recursion():
    """PostgreSQL writes "a & b & c ..." grouped from the left, as deep as the query is
    long: read as a list (a recursion had failed past about 900 terms, a 500 in the admin)."""
    chain = "'oil' <-> 'export' & " + " & ".join(["'b'"] * 5000)
    assert phrase_pairs(chain) == "'oil export' | ' (unpaired)'"
    assert phrase_pairs(" | ".join(["'a' <-> 'b'"] * 5000)) == " | ".join(["'a b'"] * 5000) + " | ' (unpaired)'"
    nested = "( " * 5000 + "'a' <-> 'b'" + " )" * 5000
    assert phrase_pairs(nested) in ("", "'a b' | ' (unpaired)'")  # past Python's stack: no pairs, never an error
