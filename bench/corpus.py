"""A deterministic synthetic corpus in Claimbase's own schema, as rows.

Pure Python, no Django: ``Corpus(claims=N, seed=S)`` yields the rows of every table in id
order, the same rows for the same ``(N, seed)`` on any machine. ``bench/generate.py`` writes
them into a fresh database; the benchmarks use the same vocabulary to pick their queries.

The shape follows what a busy team would have after a few years:

- 2,000 sources of about 8 KB of sentences (some non-ASCII: offsets are code points);
- about 2 evidence spans per claim, each a sentence or two of its source, so that
  ``quote == text[start:end]`` holds for every anchored span; 0.2% of spans are orphaned
  (their quote left the source) and their claims need attention;
- a status mix of 60% published, 10% retracted, 8% in review, 2% changes requested,
  15% draft and 5% rejected, with verdicts, confidence, reviewers and the Review log
  consistent with the workflow (four-eyes, stance needed by the verdict);
- words drawn from a Zipf distribution over a domain vocabulary and a long tail of rarer
  words, so that full-text queries range from very common to rare terms.
"""

from __future__ import annotations

import bisect
import datetime as dt
import hashlib
import itertools
import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field

CONTEXT_LENGTH = 32
SOURCE_COUNT = 2_000
SOURCE_TARGET_LENGTH = 8_000
ORPHANED_SPAN_RATE = 0.002
EPOCH = dt.datetime(2023, 1, 1, tzinfo=dt.UTC)
HISTORY_SECONDS = 3 * 365 * 24 * 3600

STATUS_MIX = (
    ("published", 60),
    ("retracted", 10),
    ("in_review", 8),
    ("changes_requested", 2),
    ("draft", 15),
    ("rejected", 5),
)
VERDICT_MIX = (("supported", 55), ("refuted", 20), ("disputed", 15), ("unverifiable", 10))
EVIDENCE_COUNT_MIX = ((1, 30), (2, 45), (3, 20), (4, 5))
ENTITY_COUNT_MIX = ((0, 10), (1, 40), (2, 35), (3, 15))

# username, group, superuser
USERS = (
    ("admin", None, True),
    ("analyst", "Analysts", False),
    ("analyst2", "Analysts", False),
    ("analyst3", "Analysts", False),
    ("reviewer", "Reviewers", False),
    ("reviewer2", "Reviewers", False),
)
AUTHORS = ("analyst", "analyst2", "analyst3", "reviewer")
REVIEWERS = ("reviewer", "reviewer2")

COUNTRIES = (
    "Iran", "Russia", "China", "India", "Turkey", "Türkiye", "Syria", "Iraq", "Israel",
    "Saudi Arabia", "Qatar", "Egypt", "Armenia", "Azerbaijan", "Georgia", "Kazakhstan",
    "Ukraine", "Belarus", "France", "Germany", "United Kingdom", "United States", "Japan",
    "Brazil", "South Africa", "Pakistan", "Afghanistan", "Tajikistan", "Turkmenistan",
    "Uzbekistan", "Oman", "Yemen", "Lebanon", "Jordan", "Kuwait", "Bahrain", "Venezuela",
    "Cuba", "North Korea", "South Korea", "Indonesia", "Malaysia", "Vietnam", "Italy",
    "Spain", "Poland", "Norway", "Sweden", "Finland", "Côte d'Ivoire",
)
ORGANIZATIONS = (
    "UN Security Council", "IAEA", "OPEC", "European Union", "NATO", "BRICS",
    "Shanghai Cooperation Organisation", "Eurasian Economic Union", "World Bank", "IMF",
    "Gazprom", "Rosatom", "National Iranian Oil Company", "Central Bank of Iran",
    "Caspian Pipeline Consortium", "Arab League", "African Union", "G20", "WTO", "ASEAN",
)
EVENTS = (
    "Bushehr commissioning", "JCPOA", "Astana talks", "Caspian summit", "Vienna talks",
    "Geneva interim deal", "snapback sanctions", "Tehran summit", "oil embargo",
    "North-South corridor agreement",
)
FIRST_NAMES = (
    "Ali", "Sergei", "Maria", "Hassan", "Olga", "Mohammad", "Anna", "Javad", "Dmitry",
    "Leila", "Vladimir", "Zahra", "Ivan", "Reza", "Elena", "Hossein", "Nikolai", "Fatemeh",
    "José", "Chloé",
)
LAST_NAMES = (
    "Rahimi", "Ivanov", "Karimi", "Petrova", "Hosseini", "Smirnov", "Ahmadi", "Volkova",
    "Moradi", "Kuznetsov", "Jafari", "Sokolova", "Rezaei", "Popov", "Mousavi", "Lebedev",
    "Núñez", "Müller",
)

# A domain vocabulary, roughly in order of frequency: the head of the Zipf distribution.
COMMON_WORDS = """
the of and to in a that for on was with said by as its at from has it is were be an
which had would after government minister officials against over new about more their
not have this two been also but year they will sanctions talks nuclear oil gas
agreement foreign president deal military economic trade security country countries
state between meeting support energy percent since during billion million council
programme cooperation relations bank exports imports pipeline production agency
report statement parliament vote voted resolution visit signed defence weapons
missile drones deliveries contract plant reactor enrichment uranium inspectors
inspections talks negotiations framework corridor railway port shipping tankers
barrels currency rouble rial dollar payments banking transfers embargo tariff
investment loans credit budget inflation growth prices market markets supply demand
summit delegation ambassador embassy spokesman spokeswoman analysts experts observers
regional international bilateral strategic partnership alliance border region
western eastern northern southern capital province city coast sea gulf caspian
troops forces army navy exercises drills base airport airspace satellite launch
election campaign opposition protests court ruling law decree ministry committee
commission envoy mediator ceasefire conflict war peace humanitarian refugees aid
announced confirmed denied rejected approved suspended resumed expanded reduced
increased declined rose fell doubled halved reached exceeded estimated reported
claimed warned urged called demanded promised agreed refused accused condemned
welcomed criticised proposed launched opened closed completed delayed postponed
""".split()

SYLLABLES = (
    "ka", "ro", "mi", "sa", "tu", "len", "dor", "vi", "pa", "zan", "kor", "el", "an", "is",
    "ob", "ur", "ne", "ta", "shi", "gar", "bel", "mon", "ri", "sto", "va", "qa", "dz", "ek",
)


def _cumulative(weights: list[float]) -> list[float]:
    return list(itertools.accumulate(weights))


def _pick(rng: random.Random, mix) -> str:
    values, weights = zip(*mix)
    return rng.choices(values, weights=weights)[0]


def _slug(name: str) -> str:
    out = []
    for char in name.lower():
        if char.isascii() and char.isalnum():
            out.append(char)
        elif out and out[-1] != "-":
            out.append("-")
    return "".join(out).strip("-")


def timestamp(moment: dt.datetime) -> str:
    """Naive UTC text with microseconds, the way Django stores datetimes in SQLite."""
    return moment.replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")


@dataclass
class Vocabulary:
    """Words with Zipf weights: a domain head and a long tail of rarer made-up words."""

    seed: int
    words: list[str] = field(default_factory=list)
    cumulative: list[float] = field(default_factory=list)

    def __post_init__(self) -> None:
        rng = random.Random(self.seed * 7919 + 1)
        tail: set[str] = set()
        while len(tail) < 20_000:
            word = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))
            if word not in COMMON_WORDS:
                tail.add(word)
        self.words = list(dict.fromkeys(COMMON_WORDS)) + sorted(tail)
        rng.shuffle(self.words[40:])  # keep the function words at the head
        self.cumulative = _cumulative([1.0 / (rank + 1) ** 1.05 for rank in range(len(self.words))])

    def sample(self, rng: random.Random, count: int) -> list[str]:
        return rng.choices(self.words, cum_weights=self.cumulative, k=count)

    def rank_of(self, word: str) -> int:
        return self.words.index(word)


class Corpus:
    """Rows for every table, generated lazily in id order; same rows for the same seed."""

    def __init__(self, claims: int, seed: int = 7, sources: int = SOURCE_COUNT) -> None:
        self.claim_count = claims
        self.source_count = sources
        self.seed = seed
        self.vocabulary = Vocabulary(seed)
        self.user_ids = {username: index + 1 for index, (username, _, _) in enumerate(USERS)}
        self.entities = self._entities()
        self._sources: list[tuple[str, list[tuple[int, int]]]] = []

    # -- reference data ------------------------------------------------------------------

    def _entities(self) -> list[tuple]:
        rng = random.Random(self.seed * 31 + 2)
        rows = []
        seen = set()
        names = [(name, "country") for name in COUNTRIES]
        names += [(name, "organization") for name in ORGANIZATIONS]
        names += [(name, "event") for name in EVENTS]
        while len(names) < 300:
            person = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
            if person not in seen:
                seen.add(person)
                names.append((person, "person"))
        for index, (name, kind) in enumerate(names, start=1):
            wikidata = f"Q{rng.randint(100, 9_999_999)}" if kind != "person" else ""
            rows.append((index, name, _slug(name), kind, wikidata, "[]"))
        return rows

    def _sentence(self, rng: random.Random, low: int = 10, high: int = 28) -> str:
        words = self.vocabulary.sample(rng, rng.randint(low, high))
        if rng.random() < 0.5:
            words.insert(rng.randrange(len(words)), rng.choice(self.entities)[1])
        if rng.random() < 0.3:
            words.insert(rng.randrange(len(words)), str(rng.randint(1990, 2026)))
        sentence = " ".join(words)
        if rng.random() < 0.05:
            sentence = f"“{sentence}”"
        return sentence[0].upper() + sentence[1:] + "."

    def _uid(self, kind: str, row_id: int) -> str:
        """A stable uid for a row (32 hex digits: what SQLite stores, and PostgreSQL reads)."""
        return uuid.uuid5(UID_NAMESPACE, f"{self.seed}:{kind}:{row_id}").hex

    def source_rows(self) -> Iterator[tuple]:
        """(id, title, url, publisher, authors, published_on, retrieved_at, language, kind,
        reliability, text, text_sha256, text_length, notes, created_by_id, created_at,
        updated_at, uid, original, original_sha256, original_media_type, url_key); remembers each text's sentence boundaries for the spans."""
        from sources.models import url_key  # Django is set up by now

        rng = random.Random(self.seed * 101 + 3)
        publishers = ["Tehran Times", "Kommersant", "Reuters", "Al-Monitor", "RFE/RL",
                      "Financial Times", "IRNA", "TASS", "Le Monde", "Der Spiegel"]
        admin = self.user_ids["admin"]
        for source_id in range(1, self.source_count + 1):
            parts: list[str] = []
            sentences: list[tuple[int, int]] = []
            length = 0
            target = rng.randint(SOURCE_TARGET_LENGTH * 3 // 4, SOURCE_TARGET_LENGTH * 5 // 4)
            while length < target:
                if parts:
                    gap = "\n\n" if rng.random() < 0.2 else " "
                    parts.append(gap)
                    length += len(gap)
                sentence = self._sentence(rng)
                sentences.append((length, length + len(sentence)))
                parts.append(sentence)
                length += len(sentence)
            text = "".join(parts)
            self._sources.append((text, sentences))
            publisher = rng.choice(publishers)
            published = EPOCH - dt.timedelta(days=rng.randint(0, 3650))
            created = timestamp(EPOCH - dt.timedelta(seconds=rng.randint(0, 86400 * 30)))
            title = self._sentence(rng, 4, 9)[:-1]
            url = f"https://news.example/{_slug(publisher)}/{source_id}"
            yield (
                source_id,
                title,
                url,
                publisher,
                f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                published.date().isoformat(),
                created,
                "en",
                rng.choice(("article", "article", "article", "report", "transcript")),
                rng.choice("ABBCCCDF"),
                text,
                hashlib.sha256(text.encode("utf-8")).hexdigest(),
                len(text),
                "",
                admin,
                created,
                created,
                self._uid("source", source_id),
                "", "", "",  # typed in: no original file
                url_key(url),
            )

    def entity_rows(self) -> list[tuple]:
        """(id, name, slug, kind, wikidata_id, aliases)"""
        return self.entities

    # -- claims and everything hanging from them ----------------------------------------

    def claim_batches(self, batch_size: int = 20_000) -> Iterator[dict[str, list[tuple]]]:
        """Batches of rows for claims, spans, evidence, claim-entity links and reviews.

        Claim ids and ``created_at`` grow together, as they do in a live database.
        """
        if not self._sources:
            for _ in self.source_rows():
                pass
        rng = random.Random(self.seed * 1009 + 5)
        statuses, status_weights = zip(*STATUS_MIX)
        status_cumulative = _cumulative(status_weights)
        verdicts, verdict_weights = zip(*VERDICT_MIX)
        evidence_counts, evidence_weights = zip(*EVIDENCE_COUNT_MIX)
        entity_counts, entity_weights = zip(*ENTITY_COUNT_MIX)
        entity_ids = [row[0] for row in self.entities]
        mean_gap = HISTORY_SECONDS / max(self.claim_count, 1)
        seconds = 0.0
        span_id = evidence_id = review_id = link_id = 0
        seen_texts: set[bytes] = set()
        users = self.user_ids
        batch = _empty_batch()
        for claim_id in range(1, self.claim_count + 1):
            seconds += rng.expovariate(1.0 / mean_gap)
            created_moment = EPOCH + dt.timedelta(seconds=seconds)
            created = timestamp(created_moment)
            status = statuses[bisect.bisect(status_cumulative, rng.random() * status_cumulative[-1])]
            author_name = rng.choice(AUTHORS)
            author = users[author_name]
            reviewer_name = rng.choice([name for name in REVIEWERS if name != author_name])
            decided = status in ("published", "retracted", "rejected", "changes_requested")
            if status in ("published", "retracted"):
                verdict = rng.choices(verdicts, weights=verdict_weights)[0]
                confidence = rng.choice(("low", "moderate", "high"))
            elif status in ("in_review", "rejected"):
                # Submission checks what approval needs: a verdict and a confidence.
                verdict = rng.choices(verdicts, weights=verdict_weights)[0]
                confidence = rng.choice(("low", "moderate", "high"))
            elif rng.random() < 0.5:
                verdict, confidence = "unverified", ""
            else:
                verdict = rng.choices(verdicts, weights=verdict_weights)[0]
                confidence = rng.choice(("", "low", "moderate", "high"))
            while True:
                text = self._sentence(rng, 8, 30)
                key = hashlib.blake2b(f"{author}\0{text}".encode(), digest_size=8).digest()
                if key not in seen_texts:
                    seen_texts.add(key)
                    break
            evidence_count = rng.choices(evidence_counts, weights=evidence_weights)[0]
            if verdict == "disputed":
                evidence_count = max(evidence_count, 2)
            stances = _stances(rng, verdict, evidence_count)
            needs_attention = 0
            source_index = rng.randrange(self.source_count)
            used_spans: set[tuple[int, int, int]] = set()
            for stance in stances:
                if rng.random() < 0.3:
                    source_index = rng.randrange(self.source_count)
                source_text, sentences = self._sources[source_index]
                while True:
                    first = rng.randrange(len(sentences))
                    last = min(first + (1 if rng.random() < 0.2 else 0), len(sentences) - 1)
                    start, end = sentences[first][0], sentences[last][1]
                    if (source_index, start, end) not in used_spans:
                        break
                used_spans.add((source_index, start, end))
                span_id += 1
                quote = source_text[start:end]
                state = "anchored"
                if rng.random() < ORPHANED_SPAN_RATE:
                    # The source was edited after the span was made: the old words are gone.
                    state = "orphaned"
                    quote = quote[: len(quote) // 2] + " (since removed)"
                    needs_attention = 1
                batch["span"].append((
                    span_id, source_index + 1, start, end, quote,
                    source_text[max(0, start - CONTEXT_LENGTH) : start],
                    source_text[end : end + CONTEXT_LENGTH],
                    state, author, created, created, self._uid("span", span_id),
                ))
                evidence_id += 1
                batch["evidence"].append((evidence_id, claim_id, span_id, stance, "", author, created))
            entity_count = rng.choices(entity_counts, weights=entity_weights)[0]
            for entity_id in sorted(set(rng.choices(entity_ids, k=entity_count))):
                link_id += 1
                batch["claim_entity"].append((link_id, claim_id, entity_id))
            submitted = published = None
            moment = created_moment
            reviews = []
            if status != "draft":
                moment += dt.timedelta(minutes=rng.randint(5, 600))
                submitted = timestamp(moment)
                reviews.append(("submit", author, "draft", "in_review", "", submitted))
            if status in ("published", "retracted"):
                moment += dt.timedelta(minutes=rng.randint(10, 4000))
                published = timestamp(moment)
                reviews.append(("approve", users[reviewer_name], "in_review", "published", "", published))
            if status == "retracted":
                moment += dt.timedelta(days=rng.randint(1, 200))
                reviews.append(("retract", users[reviewer_name], "published", "retracted",
                                "A later source contradicts the evidence.", timestamp(moment)))
            if status == "rejected":
                moment += dt.timedelta(minutes=rng.randint(10, 4000))
                reviews.append(("reject", users[reviewer_name], "in_review", "rejected",
                                "The evidence does not carry the claim.", timestamp(moment)))
            if status == "changes_requested":
                moment += dt.timedelta(minutes=rng.randint(10, 4000))
                reviews.append(("request_changes", users[reviewer_name], "in_review",
                                "changes_requested", "Cite the primary source.", timestamp(moment)))
            for action, actor, from_status, to_status, comment, at in reviews:
                review_id += 1
                batch["review"].append((review_id, claim_id, actor, action, from_status, to_status, comment, at))
            updated = timestamp(moment)
            period_start = period_end = None
            if rng.random() < 0.4:
                year = rng.randint(1995, 2025)
                period_start = f"{year}-{rng.randint(1, 12):02d}-01"
                period_end = f"{year + rng.randint(0, 4)}-12-31"
            batch["claim"].append((
                claim_id, text, period_start, period_end, verdict, confidence, status, author,
                users[reviewer_name] if decided else None, 1 + len(stances) + len(reviews),
                created, updated, submitted, published, None, "", needs_attention, "[]", 0,
                self._uid("claim", claim_id),
            ))
            if len(batch["claim"]) >= batch_size:
                yield batch
                batch = _empty_batch()
        if batch["claim"]:
            yield batch


def _empty_batch() -> dict[str, list[tuple]]:
    return {"claim": [], "span": [], "evidence": [], "claim_entity": [], "review": []}


def _stances(rng: random.Random, verdict: str, count: int) -> list[str]:
    """Stances consistent with the verdict, as approval requires."""
    first = {
        "supported": ["supports"],
        "refuted": ["refutes"],
        "disputed": ["supports", "refutes"],
        "unverifiable": ["context"],
        "unverified": [rng.choice(("supports", "refutes", "context"))],
    }[verdict]
    rest = [rng.choice(("supports", "context", "context")) for _ in range(count - len(first))]
    return first + rest


UID_NAMESPACE = uuid.UUID("6f1c1f0e-3c1b-4e0a-9a59-0c1a1b2c3d4e")

TABLE_COLUMNS = {
    "sources_source": (
        "id", "title", "url", "publisher", "authors", "published_on", "retrieved_at",
        "language", "kind", "reliability", "text", "text_sha256", "text_length", "notes",
        "created_by_id", "created_at", "updated_at", "uid",
        "original", "original_sha256", "original_media_type", "url_key",
    ),
    "claims_entity": ("id", "name", "slug", "kind", "wikidata_id", "aliases"),
    "claims_claim": (
        "id", "text", "period_start", "period_end", "verdict", "confidence", "status",
        "author_id", "reviewer_id", "version", "created_at", "updated_at", "submitted_at",
        "published_at", "supersedes_id", "notes", "needs_attention",
        # The editorial checks' warnings, none stored: check_claims computes them.
        "check_warnings", "has_checks", "uid",
    ),
    "sources_span": (
        "id", "source_id", "start", "end", "quote", "prefix", "suffix", "anchor_state",
        "created_by_id", "created_at", "updated_at", "uid",
    ),
    "claims_evidence": ("id", "claim_id", "span_id", "stance", "note", "added_by_id", "created_at"),
    "claims_claim_entities": ("id", "claim_id", "entity_id"),
    "claims_review": (
        "id", "claim_id", "actor_id", "action", "from_status", "to_status", "comment", "created_at",
    ),
}
BATCH_TABLES = {
    "claim": "claims_claim",
    "span": "sources_span",
    "evidence": "claims_evidence",
    "claim_entity": "claims_claim_entities",
    "review": "claims_review",
}
