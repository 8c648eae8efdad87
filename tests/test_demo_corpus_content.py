"""Content checks for fixtures/demo_corpus.json against the seed documents.

Pure data checks: no database, no Django. The loader builds Source rows from the
seed files verbatim and then creates spans by quote, so every quote here has to
be an exact (and, unless an occurrence is given, unique) substring of its seed.
"""

import datetime
import json
import re
from collections import Counter
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
CORPUS_PATH = REPO / "fixtures" / "demo_corpus.json"
SEED_DIR = REPO / "fixtures" / "seeds"

SOURCE_KINDS = {"article", "report", "transcript", "dataset", "other"}
RELIABILITY = set("ABCDEF")
ENTITY_KINDS = {"country", "person", "organization", "event", "other"}
VERDICTS = {"unverified", "supported", "refuted", "disputed", "unverifiable"}
CONFIDENCE = {"low", "moderate", "high"}
STATUSES = {"draft", "in_review", "changes_requested", "published", "rejected", "retracted"}
STANCES = {"supports", "refutes", "context"}
USERS = {"analyst", "reviewer", "admin"}
# statuses that can only be reached through a reviewer's decision
DECIDED = {"changes_requested", "published", "rejected", "retracted"}

SOURCE_KEYS = {
    "seed", "title", "publisher", "authors", "published_on", "kind",
    "language", "reliability", "url", "notes",
}
ENTITY_KEYS = {"slug", "name", "kind", "wikidata_id", "aliases"}
CLAIM_KEYS = {
    "key", "text", "seed", "entities", "period_start", "period_end", "verdict",
    "confidence", "status", "author", "decided_by", "comment", "supersedes",
    "notes", "evidence",
}
# Former wordings (the loader finds a corrected claim by them), and the comment of an
# approval on the way to a later decision (a retracted claim was published first).
OPTIONAL_CLAIM_KEYS = {"previous_texts", "approval_comment"}
# ``seed``: the seed the quote comes from (the claim's own seed when absent).
EVIDENCE_KEYS = {"quote", "occurrence", "stance", "note", "seed"}

SIX_TIMES = "Russia voted six times for UN Security Council sanctions on Iran between June 2006 and June 2010"


@pytest.fixture(scope="module")
def raw():
    return CORPUS_PATH.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def corpus(raw):
    return json.loads(raw)


@pytest.fixture(scope="module")
def seeds():
    files = sorted(SEED_DIR.glob("*.txt"))
    assert files, f"no seed files found in {SEED_DIR}"
    return {f.name: f.read_text(encoding="utf-8") for f in files}


@pytest.fixture(scope="module")
def claims(corpus):
    return corpus["claims"]


def _date(value):
    return None if value is None else datetime.date.fromisoformat(value)


def test_file_is_pretty_printed(raw, corpus):
    assert raw == json.dumps(corpus, indent=2, ensure_ascii=False) + "\n"
    assert set(corpus) == {"sources", "entities", "claims"}


def test_one_source_per_seed_file(corpus, seeds):
    sources = corpus["sources"]
    assert len(sources) == 5
    assert sorted(s["seed"] for s in sources) == sorted(seeds)
    for s in sources:
        assert set(s) == SOURCE_KEYS, s["seed"]
        assert s["title"].strip()
        assert s["notes"].strip()
        assert s["kind"] in SOURCE_KINDS
        assert s["reliability"] in RELIABILITY
        assert s["language"] == "en"
        assert isinstance(s["publisher"], str) and isinstance(s["authors"], str)
        _date(s["published_on"])
        assert s["url"] is None or s["url"].startswith(("http://", "https://"))


def test_source_titles_and_authors_come_from_the_text(corpus, seeds):
    for s in corpus["sources"]:
        text = seeds[s["seed"]]
        if s["authors"]:
            assert s["authors"] in text, s["seed"]
        if s["publisher"]:
            assert s["publisher"] in text, s["seed"]
    by_seed = {s["seed"]: s for s in corpus["sources"]}
    headline = next(name for name in seeds if name.startswith("003_"))
    assert seeds[headline].startswith(by_seed[headline]["title"])
    report = next(name for name in seeds if name.startswith("004_"))
    assert by_seed[report]["title"] == "Iran's Russian Conundrum"
    assert by_seed[report]["authors"] == "Alex Vatanka"


def test_entities(corpus):
    entities = corpus["entities"]
    assert len(entities) >= 15
    slugs = [e["slug"] for e in entities]
    assert len(slugs) == len(set(slugs))
    for e in entities:
        assert set(e) == ENTITY_KEYS, e
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", e["slug"]), e["slug"]
        assert e["name"].strip()
        assert e["kind"] in ENTITY_KINDS, e
        assert e["wikidata_id"] == "" or re.fullmatch(r"Q[1-9][0-9]*", e["wikidata_id"]), e
        assert isinstance(e["aliases"], list)
        assert all(isinstance(a, str) and a.strip() for a in e["aliases"])
    qids = [e["wikidata_id"] for e in entities if e["wikidata_id"]]
    assert len(qids) == len(set(qids))
    known = {e["slug"]: e["wikidata_id"] for e in entities}
    assert known["russia"] == "Q159"
    assert known["iran"] == "Q794"


def test_claim_count_keys_and_seed_coverage(claims, seeds):
    assert len(claims) >= 40
    keys = [c["key"] for c in claims]
    assert len(keys) == len(set(keys))
    per_seed = Counter(c["seed"] for c in claims)
    assert set(per_seed) == set(seeds)
    for seed in seeds:
        assert per_seed[seed] >= 4, seed


def test_claim_fields(corpus, claims):
    slugs = {e["slug"] for e in corpus["entities"]}
    for c in claims:
        assert CLAIM_KEYS <= set(c) <= CLAIM_KEYS | OPTIONAL_CLAIM_KEYS, c["key"]
        assert c["text"].strip() and len(c["text"]) <= 500, c["key"]
        assert c["entities"], c["key"]
        assert len(c["entities"]) == len(set(c["entities"])), c["key"]
        assert set(c["entities"]) <= slugs, (c["key"], set(c["entities"]) - slugs)
        assert c["verdict"] in VERDICTS, c["key"]
        assert c["confidence"] is None or c["confidence"] in CONFIDENCE, c["key"]
        assert c["status"] in STATUSES, c["key"]
        assert c["author"] in USERS, c["key"]
        assert c["decided_by"] is None or c["decided_by"] in USERS, c["key"]
        assert isinstance(c["comment"], str) and isinstance(c["notes"], str)
        start, end = _date(c["period_start"]), _date(c["period_end"])
        if start and end:
            assert start <= end, c["key"]


def test_texts_are_unique(claims):
    texts = Counter(c["text"] for c in claims)
    assert [t for t, n in texts.items() if n > 1] == []


def test_every_quote_is_exact_and_resolvable(claims, seeds):
    for c in claims:
        assert 1 <= len(c["evidence"]) <= 4, c["key"]
        quotes = [(e.get("seed") or c["seed"], e["quote"]) for e in c["evidence"]]
        assert len(quotes) == len(set(quotes)), c["key"]
        for e in c["evidence"]:
            assert {"quote", "occurrence", "stance", "note"} <= set(e) <= EVIDENCE_KEYS, c["key"]
            text = seeds[e.get("seed") or c["seed"]]
            assert e["stance"] in STANCES, c["key"]
            assert isinstance(e["note"], str)
            quote = e["quote"]
            assert quote and quote == quote.strip(), (c["key"], quote)
            count = text.count(quote)
            assert count >= 1, (c["key"], quote)
            if e["occurrence"] is None:
                assert count == 1, (c["key"], quote, count)
            else:
                assert isinstance(e["occurrence"], int), c["key"]
                assert 1 <= e["occurrence"] <= count, (c["key"], quote)


def _has(c, stance):
    return any(e["stance"] == stance for e in c["evidence"])


def test_published_claims_are_approvable(claims):
    """Every claim that went through 'approve' satisfies its conditions."""
    for c in claims:
        if c["status"] not in ("published", "retracted"):
            continue
        assert c["verdict"] != "unverified", c["key"]
        assert c["confidence"] in CONFIDENCE, c["key"]
        if c["verdict"] == "supported":
            assert _has(c, "supports"), c["key"]
        elif c["verdict"] == "refuted":
            assert _has(c, "refutes"), c["key"]
        elif c["verdict"] == "disputed":
            assert _has(c, "supports") and _has(c, "refutes"), c["key"]


def test_decisions_respect_four_eyes(claims):
    for c in claims:
        if c["status"] in DECIDED:
            assert c["decided_by"] in USERS, c["key"]
            assert c["decided_by"] != c["author"], c["key"]
            assert c["decided_by"] in ("reviewer", "admin"), c["key"]
        else:
            assert c["decided_by"] in (None, "reviewer", "admin"), c["key"]
            assert c["decided_by"] != c["author"], c["key"]


def test_status_mix(claims):
    status = Counter(c["status"] for c in claims)
    assert status["published"] >= 12
    assert status["in_review"] >= 5
    assert status["draft"] >= 5
    assert status["changes_requested"] == 1
    assert status["rejected"] == 1
    assert status["retracted"] == 1
    assert any(c["status"] == "draft" and c["verdict"] == "unverified" for c in claims)
    verdicts = Counter(c["verdict"] for c in claims)
    assert verdicts["disputed"] >= 1
    assert verdicts["refuted"] >= 1


def test_comments_where_the_workflow_requires_them(claims):
    for c in claims:
        if c["status"] in ("changes_requested", "rejected", "retracted"):
            assert c["comment"].strip(), c["key"]


def test_retracted_claim_has_published_successor(claims):
    index = {c["key"]: i for i, c in enumerate(claims)}
    retracted = [c for c in claims if c["status"] == "retracted"]
    assert len(retracted) == 1
    old = retracted[0]
    successors = [c for c in claims if c["supersedes"] == old["key"]]
    assert len(successors) == 1
    new = successors[0]
    assert new["status"] == "published"
    assert index[new["key"]] > index[old["key"]]
    assert new["seed"] == old["seed"]
    for c in claims:
        if c["supersedes"] is not None:
            assert c["supersedes"] in index, c["key"]
            assert index[c["supersedes"]] < index[c["key"]], c["key"]


def test_six_times_sanctions_claim(claims, seeds):
    matches = [c for c in claims if c["text"].rstrip(".") == SIX_TIMES]
    assert len(matches) == 1
    c = matches[0]
    assert c["seed"].startswith("004_")
    assert c["status"] == "published" and c["verdict"] == "supported"
    assert {"russia", "iran", "un-security-council"} <= set(c["entities"])
    assert c["period_start"] == "2006-06-01" and c["period_end"] == "2010-06-30"
    text = seeds[c["seed"]]
    supporting = [e["quote"] for e in c["evidence"] if e["stance"] == "supports"]
    assert any("six occasions" in q and q in text for q in supporting)


# ---------------------------------------------------------------------------------------------
# The corpus as an editor would publish it: the corrections, pinned.

from claims import checks  # noqa: E402  (pure: no Django)

PUBLISHED = ("published", "retracted")
# What an approval comment must talk about to explain each kind of warning.
EXPLAINS = {
    "number_not_in_evidence": ("number",),
    "date_not_in_evidence": ("date", "year", "month", "day"),
    "hedged_evidence": ("hedge", "guess"),
    "single_source": ("source",),
    "low_reliability": ("grade", "reliab"),
    "unresolved_relative_time": ("date",),
}


def facts_of(corpus, c):
    sources = {
        s["seed"]: checks.SourceFacts(
            id=s["seed"], reliability=s["reliability"], published_on=_date(s["published_on"]), title=s["title"]
        )
        for s in corpus["sources"]
    }
    return checks.ClaimFacts(
        text=c["text"],
        confidence=c["confidence"] or "",
        verdict=c["verdict"],
        period_start=_date(c["period_start"]),
        period_end=_date(c["period_end"]),
        evidence=tuple(
            checks.EvidenceFacts(e["quote"], e["stance"], sources[e.get("seed") or c["seed"]]) for e in c["evidence"]
        ),
    )


def by_key(claims, key):
    return next(c for c in claims if c["key"] == key)


def test_every_source_is_dated_and_says_how(corpus, seeds):
    for s in corpus["sources"]:
        assert _date(s["published_on"]) is not None, s["seed"]
        assert "dated" in s["notes"].lower(), s["seed"]
        assert "Graded " + s["reliability"] in s["notes"], s["seed"]


def test_source_dates_agree_with_their_text(corpus):
    published = {s["seed"][:3]: _date(s["published_on"]) for s in corpus["sources"]}
    assert published["000"].year == 2015 and published["000"].month <= 3
    assert published["001"] in (datetime.date(2017, 2, 1), datetime.date(2017, 3, 1))
    assert (published["002"].year, published["002"].month) == (2018, 9)  # "last month": August 2018
    assert (published["003"].year, published["003"].month) == (2024, 10)  # after the forum of October 11
    assert published["004"].year == 2017 and published["004"].month <= 4


def test_no_source_is_graded_above_what_it_is(corpus):
    grades = {s["seed"][:3]: s["reliability"] for s in corpus["sources"]}
    # Partisan commentaries relaying other outlets are not reliable sources of their own.
    assert grades["000"] == grades["001"] == grades["002"] == "D"
    assert grades["004"] in "BC"


def test_no_claim_restates_a_number_its_evidence_lacks(corpus, claims):
    for c in claims:
        found = checks.number_not_in_evidence(facts_of(corpus, c))
        assert found == [], (c["key"], found)


def test_every_published_claim_passes_the_checks_or_its_approval_comment_says_why(corpus, claims):
    for c in claims:
        if c["status"] not in PUBLISHED:
            continue
        comment = (c.get("approval_comment") or c["comment"]) if c["status"] == "retracted" else c["comment"]
        for found in checks.run_checks(facts_of(corpus, c)):
            words = EXPLAINS[found["code"]]
            assert any(word in comment.lower() for word in words), (c["key"], found["message"], comment)


def test_no_high_confidence_rests_only_on_sources_graded_d_to_f(corpus, claims):
    for c in claims:
        assert checks.low_reliability(facts_of(corpus, c)) == [], c["key"]


def test_some_claims_cite_two_or_more_sources(claims):
    multi = [c["key"] for c in claims if len({e.get("seed") or c["seed"] for e in c["evidence"]}) >= 2]
    assert len(multi) >= 3, multi


def test_the_four_major_corrections(claims):
    partnership = next(c for c in claims if "strategic partnership" in c["text"] and "formed" in c["text"])
    assert partnership["verdict"] == "refuted"
    assert all(e["stance"] != "supports" for e in partnership["evidence"])
    progress = next(c for c in claims if "substantive progress" in c["text"])
    assert progress["verdict"] == "refuted"
    assert any("more bluster than actual progress" in e["quote"] and e["stance"] == "refutes" for e in progress["evidence"])
    coordinated = next(c for c in claims if c["text"].startswith("Russia coordinated with Iran"))
    assert coordinated["verdict"] == "unverifiable"
    assert "dates to January 2016" in coordinated["text"] or "January 2016" not in coordinated["text"]
    zarif = next(c for c in claims if "Zarif" in c["text"] and "cleaned out" in c["text"])
    assert "Idlib" in zarif["text"]
    assert any("cleaned out" in e["quote"] and len(e["quote"].split()) > 10 for e in zarif["evidence"])


def test_a_corrected_claim_keeps_its_former_wording_for_existing_databases(claims):
    texts = {c["text"] for c in claims}
    for c in claims:
        for previous in c.get("previous_texts", []):
            assert previous not in texts, c["key"]
    assert "Iran and Russia have formed a strategic partnership." in by_key(claims, "c16")["previous_texts"]


def test_no_disputed_verdict_without_evidence_on_both_sides_from_the_claims_subject(claims):
    for c in claims:
        if c["verdict"] == "disputed":
            stances = {e["stance"] for e in c["evidence"]}
            assert {"supports", "refutes"} <= stances, c["key"]


def test_claims_cover_the_seeds_key_facts(claims):
    texts = " ".join(c["text"] for c in claims)
    for fact in ("Astana", "Eurasian Economic Union", "Tajikistan", "Armenia", "remained small", "first round"):
        assert fact in texts, fact
    sanctions = next(c for c in claims if "first round" in c["text"])
    assert "August 2018" in sanctions["text"] and sanctions["status"] == "published"


def test_entity_gaps_are_filled_and_aliases_do_not_collide(corpus, claims):
    entities = {e["slug"]: e for e in corpus["entities"]}
    for slug in ("cuba", "venezuela", "houthis", "idlib", "al-jazeera", "russian-security-council"):
        assert slug in entities, slug
        assert any(slug in c["entities"] for c in claims), slug
    assert "Security Council" not in entities["un-security-council"]["aliases"]
    owners: dict[str, str] = {}
    for e in corpus["entities"]:
        for label in {e["name"], *e["aliases"]}:
            assert owners.setdefault(label.lower(), e["slug"]) == e["slug"], (label, owners[label.lower()], e["slug"])
