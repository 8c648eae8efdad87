"""How alike two claims are: pure functions, no database (see ``claims/similar.py`` for the
search that feeds them candidates).

A claim's text is reduced to the words that carry its fact, in a canonical form, so that
paraphrases meet:

- numbers written as words become digits (``text2num``), thousands separators and currency
  signs go, "4 billion" becomes 4000000000;
- mentions of an entity, by name or any alias ("Putin", "Vladimir Putin", "President
  Putin"; "Moscow", "Kremlin" for Russia), become one token for the entity; titles before
  a name ("Russian President", "Supreme Leader") are dropped;
- other words are stemmed (Snowball English: "sanctions" / "sanction", "voted" / "voting")
  and mapped through a small table of synonyms of the domain ("backed" / "voted for" /
  "supported"), and stop words go.

``score`` then compares two such forms: a blend of rapidfuzz's token measures and the
overlap of the two token sets, multiplied down when the claims disagree on what makes a
fact a different fact: their numbers (five times against six; 2007 against 2010), their
entities (Iran against Syria), a negation on one side only, or opposite words ("rose" against
"fell", "formed" against "broke off").
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

import snowballstemmer
from rapidfuzz import fuzz
from text_to_num import alpha2digit

# Small on purpose: every word here is one that two statements of the same fact may add or
# drop without changing the fact.
STOP_WORDS = frozenset(
    """a about above after again all almost also am an and any approximately are around as at be
    been being between both but by can could did do does during each either for from had has have
    having he her here hers him his how i if in into is it its itself just least more most much
    nearly of on once only or other our out over own per reportedly roughly same she should so
    some such than that the their them then there these they this those through to too under
    until up very was we were what when where which while who whom why will with would you your
    total times time""".split()
)
NEGATIONS = frozenset("not no never none nothing neither nor without n't".split())
# Words of a title before a name: "Russian President Vladimir Putin" and "Putin" name one man.
TITLE_WORDS = frozenset(
    """president vice prime minister foreign defence defense deputy supreme leader ayatollah
    general lord mr mrs ms dr sir secretary spokeswoman spokesman chief ambassador""".split()
)
# A demonym directly before a title is part of the title ("Iranian Foreign Minister").
DEMONYMS = frozenset(
    """russian iranian american chinese israeli syrian british french german turkish iraqi saudi
    us u.s. european""".split()
)
# Words that state the same fact in this domain; the first of each group is its canonical form.
SYNONYM_GROUPS: tuple[tuple[str, ...], ...] = (
    ("support", "back", "backed", "backing", "vote", "voted", "voting", "endorse", "endorsed", "favour", "favor", "approve", "approved"),
    ("oppose", "opposed", "resist", "resisted", "object", "objected"),
    ("sell", "sold", "sale", "sales", "selling"),
    ("deliver", "delivery", "deliveries", "supply", "supplied", "provide", "provided", "transfer", "transferred", "ship", "shipped", "send", "sent"),
    ("buy", "bought", "purchase", "purchased", "acquire", "acquired", "procure", "procured"),
    ("meet", "met", "meeting"),
    ("say", "said", "declare", "declared", "announce", "announced", "assert", "asserted", "tell", "told", "stated"),
    ("weapon", "weapons", "arm", "arms", "armament", "armaments", "weaponry"),
    ("agreement", "deal", "pact", "treaty", "accord"),
    ("ban", "banned", "prohibit", "prohibited", "block", "blocked", "bar", "barred", "forbid", "forbade"),
    ("stop", "end", "ended", "halt", "halted", "cease", "ceased", "discontinue", "discontinued"),
    ("cancel", "cancelled", "canceled", "scrap", "scrapped", "annul", "annulled", "terminate", "terminated"),
    ("increase", "increased", "rise", "rose", "risen", "grow", "grew", "grown", "climb", "climbed", "jump", "jumped", "surge", "surged", "double", "doubled", "triple", "tripled"),
    ("decrease", "decreased", "fall", "fell", "fallen", "drop", "dropped", "decline", "declined", "shrink", "shrank", "plunge", "plunged", "halve", "halved"),
    ("form", "formed", "establish", "established", "build", "built", "create", "created"),
    ("sever", "severed", "break", "broke", "broken", "dissolve", "dissolved"),
    ("kill", "killed", "die", "died", "death", "dead"),
    ("criticise", "criticised", "criticize", "criticized", "criticism", "condemn", "condemned", "censure", "censured", "censuring", "denounce", "denounced", "rebuke", "rebuked"),
    ("visit", "visited", "trip", "travel", "travelled", "traveled", "tour"),
    ("begin", "began", "begun", "start", "started", "launch", "launched", "commence", "commenced"),
    ("lawsuit", "sue", "sued", "suit", "litigation"),
    ("country", "countries", "nation", "nations"),
    ("largest", "biggest", "large", "big", "major", "main", "top"),
    ("oil", "crude", "petroleum"),
    ("aircraft", "plane", "planes", "airplane", "airplanes", "jet", "jets"),
    ("troop", "troops", "soldier", "soldiers"),
    ("nuclear", "atomic"),
    ("airstrike", "airstrikes", "bombing", "bombings", "bombed", "raid", "raids"),
    ("percent", "pct"),
    ("elect", "elected", "win", "won"),
    ("withdraw", "withdrew", "withdrawn", "pull", "pulled", "exit", "exited", "leave", "left", "quit"),
    ("lose", "lost", "loss", "forfeit", "forfeited"),
    ("plan", "planned", "intend", "intended"),
)
# Pairs of canonical words that state opposite facts: one on each side is a different fact.
OPPOSITES: tuple[tuple[str, str], ...] = (
    ("support", "oppose"),
    ("increase", "decrease"),
    ("form", "sever"),
    ("begin", "stop"),
    ("buy", "sell"),
)
# The power of ten of each scale word: "4.5 billion" is 4.5 with its point moved 9 places.
SCALE_EXPONENTS = {"thousand": 3, "million": 6, "m": 6, "billion": 9, "bn": 9, "trillion": 12}

_STEMMER = snowballstemmer.stemmer("english")
_TOKEN = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_DIGIT_GROUPS = re.compile(r"(?<=\d)[,](?=\d{3}\b)")
# Possessive, and only from the first digit of a run: a run of n digits without a scale word
# after it is given up in one step, not retried from each of its digits (n squared steps).
_SCALED = re.compile(r"(?<!\d)(\d++(?:\.\d++)?)\s*+(thousand|million|billion|trillion|bn|m)\b", re.IGNORECASE)
_NUMBER = re.compile(r"^\d+(?:\.\d+)?$")


@lru_cache(maxsize=100_000)
def stem(word: str) -> str:
    return _STEMMER.stemWord(word)


def _canonical_words() -> dict[str, str]:
    canonical = {}
    for group in SYNONYM_GROUPS:
        head = stem(group[0])
        for word in group:
            canonical[word] = head
            canonical[stem(word)] = head
    return canonical


CANONICAL = _canonical_words()
# Both ways round, in canonical (stemmed) form.
OPPOSITE_PAIRS = tuple(
    pair for first, second in OPPOSITES for pair in ((stem(first), stem(second)), (stem(second), stem(first)))
)
OPPOSITE_WORDS = frozenset(word for pair in OPPOSITE_PAIRS for word in pair)
# The surface words of each word's synonym group: what a full-text query should also look for.
SYNONYMS_OF: dict[str, tuple[str, ...]] = {
    word: group for group in SYNONYM_GROUPS for word in group
}


def _scale(match: re.Match) -> str:
    return shifted(match.group(1), SCALE_EXPONENTS[match.group(2).lower()])


def shifted(number: str, places: int) -> str:
    """``number`` (digits, perhaps with a decimal point) times ten to the ``places``, in ASCII
    digits without leading zeros or trailing zeros after the point: "4.5", 9 -> "4500000000".

    The point is moved in the text, not computed: exact and total at any length, where a
    float turns a number of 309 digits into infinity (which ``int`` refuses) and "4.07" times
    a billion into 4070000000.0000005, and ``int`` refuses to write 4,300 digits or more."""
    whole, _, fraction = "".join(_ascii_digit(character) for character in number).partition(".")
    fraction = fraction.ljust(places, "0")
    whole, fraction = (whole + fraction[:places]).lstrip("0") or "0", fraction[places:].rstrip("0")
    return f"{whole}.{fraction}" if fraction else whole


def _ascii_digit(character: str) -> str:
    """Any decimal digit (``\\d`` matches "٤" too) as its ASCII digit; "." as itself."""
    return character if character == "." else str(unicodedata.decimal(character))


def numbers_as_digits(text: str) -> str:
    """Spelled-out numbers to digits, "$4 billion" and "four billion" alike to 4000000000."""
    text = _DIGIT_GROUPS.sub("", text)
    text = _SCALED.sub(_scale, text)
    try:
        text = alpha2digit(text, "en", threshold=0)
    except Exception:  # noqa: BLE001: the converter is an optimisation; the text stays usable
        return text
    return _SCALED.sub(_scale, _DIGIT_GROUPS.sub("", text))


# ---------------------------------------------------------------------------------------------
# Entities mentioned in a text


class EntityMatcher:
    """Finds mentions of known entities by name or alias, as runs of whole words. Short or
    all-capital names ("US", "EU", "RT") match only as written; others in any case."""

    def __init__(self, entities: list[tuple[int, str, list[str]]] = ()):
        self.exact: dict[tuple[str, ...], int] = {}
        self.folded: dict[tuple[str, ...], int] = {}
        for entity_id, name, aliases in entities:
            for written in [re.sub(r"\s*\([^)]*\)\s*$", "", name), *[a for a in aliases if isinstance(a, str)]]:
                words = tuple(_TOKEN.findall(written))
                if not words or len(written.strip()) < 2:
                    continue
                if written.isupper() or len(written.strip()) <= 3:
                    self.exact.setdefault(words, entity_id)
                else:
                    self.folded.setdefault(tuple(word.casefold() for word in words), entity_id)
        self.longest = max((len(key) for key in [*self.exact, *self.folded]), default=0)
        self.first_exact = {key[0] for key in self.exact}
        self.first_folded = {key[0] for key in self.folded}
        self._forms: dict[str, Form] = {}

    def pieces(self, words: list[str]) -> list[tuple[str, object]]:
        """``words`` as ``("entity", id)`` for each mention (the longest where two overlap)
        and ``("word", casefolded word)`` for the others."""
        pieces: list[tuple[str, object]] = []
        position, count = 0, len(words)
        while position < count:
            word = words[position]
            folded = word.casefold()
            found = None
            if word in self.first_exact or folded in self.first_folded:
                for length in range(min(self.longest, count - position), 0, -1):
                    chunk = words[position:position + length]
                    found = self.exact.get(tuple(chunk)) or self.folded.get(tuple(w.casefold() for w in chunk))
                    if found is not None:
                        pieces.append(("entity", found))
                        position += length
                        break
            if found is None:
                pieces.append(("word", folded))
                position += 1
        return pieces

    def form(self, text: str) -> Form:
        """``analyse(text, self)``, remembered (claims are compared again and again)."""
        form = self._forms.get(text)
        if form is None:
            if len(self._forms) >= FORM_CACHE_SIZE:
                self._forms.clear()
            form = self._forms[text] = analyse(text, self)
        return form


FORM_CACHE_SIZE = 100_000
NO_ENTITIES = EntityMatcher()


# ---------------------------------------------------------------------------------------------
# The canonical form of a claim


@dataclass
class Form:
    """A text reduced to what carries its fact (see the module docstring)."""

    tokens: list[str]
    numbers: frozenset[str]
    entities: frozenset[int]
    negated: bool
    words: list[str] = field(default_factory=list)  # content words as written (for full-text queries)

    # Derived once: a form is compared with many others (its tokens never change).
    @cached_property
    def joined(self) -> str:
        return " ".join(self.tokens)

    @cached_property
    def token_set(self) -> frozenset[str]:
        return frozenset(self.tokens)

    @cached_property
    def opposite_words(self) -> frozenset[str]:
        """Its words that have an opposite (``OPPOSITES``)."""
        return self.token_set & OPPOSITE_WORDS


def entity_token(entity_id: int) -> str:
    return f"entity{entity_id}"


def analyse(text: str, matcher: EntityMatcher = NO_ENTITIES) -> Form:
    """The canonical form of ``text``."""
    text = numbers_as_digits(text.replace("%", " percent ").replace("$", " "))
    pieces = matcher.pieces(_TOKEN.findall(text))
    tokens, numbers, entities, words = [], set(), set(), []
    negations = 0
    for index, (kind, value) in enumerate(pieces):
        if kind == "entity":
            tokens.append(entity_token(value))
            entities.add(value)
            continue
        word = value.replace("’", "'")
        if word.endswith("'s"):
            word = word[:-2]
        if word in NEGATIONS or word.endswith("n't"):
            negations += 1
            continue
        if word in STOP_WORDS or word in TITLE_WORDS:
            continue
        following = pieces[index + 1] if index + 1 < len(pieces) else None
        if word in DEMONYMS and following is not None and following[0] == "word" and following[1] in TITLE_WORDS:
            continue
        if _NUMBER.match(word):
            number = word.rstrip("0").rstrip(".") if "." in word else word
            numbers.add(number)
            tokens.append(number)
            words.append(word)
            continue
        stemmed = stem(word)
        tokens.append(CANONICAL.get(word) or CANONICAL.get(stemmed) or stemmed)
        words.append(word)
    return Form(tokens=tokens, numbers=frozenset(numbers), entities=frozenset(entities), negated=negations % 2 == 1, words=words)


# ---------------------------------------------------------------------------------------------
# Scoring

# Multipliers for a disagreement: each is what one such difference leaves of a score.
NUMBER_CONFLICT = 0.45  # both name numbers, and each names one the other lacks
NUMBER_MISSING = 0.9  # one names numbers the other does not contradict
ENTITY_CONFLICT = 0.6  # each names an entity the other does not
NEGATION_CONFLICT = 0.5  # one is negated, the other not
OPPOSITE_CONFLICT = 0.5  # one says a word, the other its opposite


def lexical(query: Form, candidate: Form) -> float:
    """How alike the two token lists are, 0..1: rapidfuzz's sorted-token and token-set ratios
    (word order does not matter), and the Dice overlap of the token sets."""
    if not query.tokens or not candidate.tokens:
        return 0.0
    first, second = query.joined, candidate.joined
    sort = fuzz.token_sort_ratio(first, second) / 100
    token_set = fuzz.token_set_ratio(first, second) / 100
    return 0.35 * sort + 0.25 * token_set + 0.4 * dice(query, candidate)


def dice(query: Form, candidate: Form) -> float:
    """The Dice overlap of the two token sets (both non-empty)."""
    a, b = query.token_set, candidate.token_set
    return 2 * len(a & b) / (len(a) + len(b))


def agreement(query: Form, candidate: Form, candidate_entities: frozenset[int] = frozenset()) -> float:
    """The multiplier for what the two disagree on: numbers, entities, negation."""
    factor = 1.0
    only_query, only_candidate = query.numbers - candidate.numbers, candidate.numbers - query.numbers
    if only_query and only_candidate:
        factor *= NUMBER_CONFLICT
    elif only_query or only_candidate:
        factor *= NUMBER_MISSING
    # The entities a claim is tagged with count as mentioned: a paraphrase may name
    # "Moscow" where the claim's text says "Russia" and its tags say both.
    candidate_all = candidate.entities | candidate_entities
    if query.entities - candidate_all and candidate.entities - query.entities:
        factor *= ENTITY_CONFLICT
    if query.negated != candidate.negated:
        factor *= NEGATION_CONFLICT
    if not query.opposite_words or not candidate.opposite_words:
        return factor  # an opposite needs a word with an opposite on each side
    query_words, candidate_words = query.token_set, candidate.token_set
    for first, second in OPPOSITE_PAIRS:
        if first in query_words and second in candidate_words and first not in candidate_words and second not in query_words:
            factor *= OPPOSITE_CONFLICT
            break
    return factor


def score(query: Form, candidate: Form, candidate_entities: frozenset[int] = frozenset()) -> float:
    """How likely ``candidate`` states the fact that ``query`` states, 0..1."""
    value = lexical(query, candidate) * agreement(query, candidate, candidate_entities)
    return round(min(1.0, max(0.0, value)), 4)


# Below the minimum by more than this, a score cannot round up to it (``score`` keeps four
# decimals); the rest is room for floating-point error in the bounds.
BOUND_SLACK = 0.001


def score_if_at_least(
    query: Form, candidate: Form, candidate_entities: frozenset[int], minimum: float
) -> float | None:
    """``score(query, candidate, candidate_entities)`` when it is at least ``minimum``, else
    None, answered without the costly measures for most candidates that fall short.

    ``lexical`` is 0.35 x sort + 0.25 x set + 0.4 x dice, with each ratio at most 1, and the
    score is it times ``agreement``: the cheap parts (dice, agreement) bound it from above,
    and each rapidfuzz ratio is asked with the least value that could still reach the
    minimum (it answers 0 below that). A candidate that passes gets ``score`` itself, so the
    value is the same to the last digit."""
    if minimum <= 0:
        return score(query, candidate, candidate_entities)
    if not query.tokens or not candidate.tokens:
        return None
    factor = agreement(query, candidate, candidate_entities)
    needed = (minimum - BOUND_SLACK) / factor - 0.4 * dice(query, candidate)  # what sort and set must give
    if needed > 0.35 + 0.25:
        return None
    sort_cutoff = (needed - 0.25) / 0.35
    if sort_cutoff > 0:
        sort = fuzz.token_sort_ratio(query.joined, candidate.joined, score_cutoff=100 * sort_cutoff) / 100
        if sort == 0:
            return None
        set_cutoff = (needed - 0.35 * sort) / 0.25
        if set_cutoff > 0 and fuzz.token_set_ratio(query.joined, candidate.joined, score_cutoff=100 * set_cutoff) == 0:
            return None
    value = score(query, candidate, candidate_entities)
    return value if value >= minimum else None


def idf(matches: int, total: int) -> float:
    """Inverse document frequency of a term found in ``matches`` of ``total`` claims."""
    return math.log(1 + total / max(1, matches))
