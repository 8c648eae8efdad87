"""Editorial checks: what a fact-checker would catch in a claim, read against its own evidence.

Exact spans make a citation that points at the wrong words impossible, but not a number or
a date that the quotes do not say, a hedge turned into a certainty, or high confidence on one
weak source. These checks read a claim, its evidence quotes and their sources' metadata and
return warnings ``{"code", "message"}``; each message quotes the number, date or word at
fault. Pure Python, no Django: the services store the result on the claim, the
``check_claims`` command recomputes it for a whole database.

Numbers and dates are compared as values, so "six" matches "6", "72%" matches "72 percent",
"$4 billion" matches "4 billion dollars". Only the quotes the verdict could rest on
(``supports``) support a number or a date; a claim without any supporting quote (refuted,
unverifiable) is not checked for them, since its numbers are what the evidence contradicts or
cannot settle.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import MAX_EMAX, MIN_EMIN, Context, Decimal, InvalidOperation

# Each pattern ``_scanned`` compiled, with the pattern it stands for: the tests match each
# against the other.
SCANNED: dict[re.Pattern, re.Pattern] = {}


def _scanned(pattern: str, first: str, flags: int = 0) -> re.Pattern:
    """``pattern`` behind a look-ahead for the characters a match can begin with (``first``,
    a character class that must admit the first character of every match).

    Python's engine tries every alternative of a pattern, with its look-behinds, at every
    position of the text; the look-ahead turns most positions away at once. The same
    matches, found 7 times faster for ``_DATE`` and 1.6 to 1.8 times for the word lists
    (texts of the bench corpus)."""
    scanned = re.compile(f"(?={first})(?:{pattern})", flags)
    SCANNED[scanned] = re.compile(pattern, flags)
    return scanned


NUMBER_NOT_IN_EVIDENCE = "number_not_in_evidence"
DATE_NOT_IN_EVIDENCE = "date_not_in_evidence"
HEDGED_EVIDENCE = "hedged_evidence"
SINGLE_SOURCE = "single_source"
LOW_RELIABILITY = "low_reliability"
UNRESOLVED_RELATIVE_TIME = "unresolved_relative_time"

CODES = (
    NUMBER_NOT_IN_EVIDENCE,
    DATE_NOT_IN_EVIDENCE,
    HEDGED_EVIDENCE,
    SINGLE_SOURCE,
    LOW_RELIABILITY,
    UNRESOLVED_RELATIVE_TIME,
)

# What each check is called where people read the warnings (the admin); the API gives codes.
LABELS = {
    NUMBER_NOT_IN_EVIDENCE: "Number not in the evidence",
    DATE_NOT_IN_EVIDENCE: "Date not in the evidence",
    HEDGED_EVIDENCE: "Hedged evidence",
    SINGLE_SOURCE: "Single source",
    LOW_RELIABILITY: "Low-reliability sources",
    UNRESOLVED_RELATIVE_TIME: "Relative time without a date",
}

SUPPORTS, REFUTES, CONTEXT = "supports", "refutes", "context"
HIGH = "high"
WEAK_GRADES = frozenset("DEF")


@dataclass(frozen=True)
class SourceFacts:
    id: int | None
    reliability: str = "F"
    published_on: dt.date | None = None
    title: str = ""


@dataclass(frozen=True)
class EvidenceFacts:
    quote: str
    stance: str
    source: SourceFacts


@dataclass(frozen=True)
class ClaimFacts:
    text: str
    confidence: str = ""
    verdict: str = ""
    period_start: dt.date | None = None
    period_end: dt.date | None = None
    evidence: tuple[EvidenceFacts, ...] = ()


def warning(code: str, message: str) -> dict[str, str]:
    return {"code": code, "message": message}


def _supporting(claim: ClaimFacts) -> list[EvidenceFacts]:
    return [item for item in claim.evidence if item.stance == SUPPORTS]


def _shorten(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# ---------------------------------------------------------------------------------------------
# Numbers

_UNITS = {
    word: value
    for value, word in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
        "fifteen sixteen seventeen eighteen nineteen".split()
    )
}
_TENS = {
    word: 10 * value
    for value, word in enumerate("twenty thirty forty fifty sixty seventy eighty ninety".split(), start=2)
}
_SCALES = {"thousand": 10**3, "million": 10**6, "billion": 10**9, "trillion": 10**12}
_SCALE_ABBREVIATIONS = {"bn": 10**9, "mn": 10**6, "m": 10**6, "k": 10**3}
_ORDINAL_WORDS = {
    "first": "one", "second": "two", "third": "three", "fourth": "four", "fifth": "five",
    "sixth": "six", "seventh": "seven", "eighth": "eight", "ninth": "nine", "tenth": "ten",
    "eleventh": "eleven", "twelfth": "twelve", "thirteenth": "thirteen", "fourteenth": "fourteen",
    "fifteenth": "fifteen", "sixteenth": "sixteen", "seventeenth": "seventeen",
    "eighteenth": "eighteen", "nineteenth": "nineteen", "twentieth": "twenty",
    "thirtieth": "thirty", "fortieth": "forty", "fiftieth": "fifty", "sixtieth": "sixty",
    "seventieth": "seventy", "eightieth": "eighty", "ninetieth": "ninety",
    "hundredth": "hundred", "thousandth": "thousand", "millionth": "million",
}
_MULTIPLES = {"twice": 2, "thrice": 3}
# Digits, with thousands separators and decimals, an optional ordinal suffix and an
# optional scale word: "1,200", "4.5", "6th", "$4 billion", "4bn". A digit glued to letters
# ("P5", "1990s", "G7") is a name or a decade, not a number.
_DIGITS = re.compile(
    r"(?<![\w.,])(?P<number>\d{1,3}(?:,\d{3})+|\d+)(?:\.(?P<fraction>\d+))?"
    r"(?:(?P<ordinal>st|nd|rd|th)\b"
    r"|\s*(?P<scale>thousand|million|billion|trillion)\b"
    r"|(?P<abbreviation>bn|mn|m|k)\b"
    r"|(?:(?<=-\d)|(?<=-\d\d)|(?<=-\d\d\d))s\b"  # a model's plural: "S-400s", "Su-35s"
    r"|(?![\w]))",
    re.IGNORECASE,
)
# A number that names something: "Resolution 2231", "No. 5", "Article 51".
_NAMING_WORDS = re.compile(r"(?:resolution|no\.|number|article|chapter|#|page|p\.|pp\.)\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class NumberMention:
    surface: str
    value: Decimal
    ordinal: bool
    start: int
    end: int

    @property
    def key(self) -> tuple[bool, Decimal]:
        return (self.ordinal, self.value)


_LETTERS = re.compile(r"[A-Za-z]+")
_NUMBER_WORDS = frozenset([*_UNITS, *_TENS, "hundred", *_SCALES, "dozen", *_ORDINAL_WORDS])
_BEFORE_SCALE = frozenset(["hundred", *_SCALES, "dozen"])
_RUN_WORDS = _NUMBER_WORDS | {"twice", "thrice", "half"}
_RUN_GAP = re.compile(r"\s*-\s*|\s+")


def _word_runs(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each run of number words: "twenty-five", "two hundred and forty",
    "a dozen", "half a dozen", "twice". Read word by word (one pass over the letters),
    which a single pattern of every number word would make slow."""
    if _RUN_WORDS.isdisjoint(_LETTERS.findall(text.lower())):
        return
    words = [(match.start(), match.end(), match.group(0).lower()) for match in _LETTERS.finditer(text)]
    count = len(words)

    def gap(left: int) -> str:
        return text[words[left][1] : words[left + 1][0]]

    index = 0
    while index < count:
        start, end, word = words[index]
        if word in _MULTIPLES:
            yield start, end
            index += 1
            continue
        if (word == "half" and index + 2 < count and words[index + 1][2] == "a" and words[index + 2][2] == "dozen"
                and gap(index).isspace() and gap(index + 1).isspace()):
            yield start, words[index + 2][1]
            index += 3
            continue
        first = index
        if word in ("a", "an") and index + 1 < count and words[index + 1][2] in _BEFORE_SCALE and gap(index).isspace():
            index += 1
        if words[index][2] not in _NUMBER_WORDS:
            index = first + 1
            continue
        last = index
        while last + 1 < count:
            if words[last + 1][2] in _NUMBER_WORDS and _RUN_GAP.fullmatch(gap(last)):
                last += 1
            elif (words[last + 1][2] == "and" and last + 2 < count and words[last + 2][2] in _NUMBER_WORDS
                    and gap(last).isspace() and gap(last + 1).isspace()):
                last += 2
            else:
                break
        yield words[first][0], words[last][1]
        index = last + 1


def _words_value(run: str) -> tuple[Decimal, bool] | None:
    """The value of a run of English number words, and whether it is an ordinal."""
    words = [word for word in re.split(r"[\s-]+", run.lower()) if word not in {"and", "a", "an", ""}]
    if not words:
        return None
    if words == ["half", "dozen"]:
        return Decimal(6), False
    if len(words) == 1 and words[0] in _MULTIPLES:
        return Decimal(_MULTIPLES[words[0]]), False
    ordinal = words[-1] in _ORDINAL_WORDS
    if ordinal:
        words[-1] = _ORDINAL_WORDS[words[-1]]
    total = current = 0
    for word in words:
        if word in _UNITS:
            current += _UNITS[word]
        elif word in _TENS:
            current += _TENS[word]
        elif word == "hundred":
            current = (current or 1) * 100
        elif word == "dozen":
            current = (current or 1) * 12
        elif word in _SCALES:
            total += (current or 1) * _SCALES[word]
            current = 0
        else:
            return None
    return Decimal(total + current), ordinal


def _before(text: str, index: int, width: int = 24) -> str:
    """The few characters before ``index``: what the look-behind rules read (a window, so
    that a long quote costs linear time)."""
    return text[max(0, index - width) : index]


def _blank(text: str, spans: Sequence[tuple[int, int]]) -> str:
    """The text with these spans replaced by spaces (offsets stay valid)."""
    if not spans:
        return text  # most texts name no date: no list of their characters to build
    chars = list(text)
    for start, end in spans:
        chars[start:end] = " " * (end - start)
    return "".join(chars)


@functools.lru_cache(maxsize=4096)
def number_mentions(text: str) -> tuple[NumberMention, ...]:
    """Every number in the text, in any of the forms the checks compare; years and the days
    of dates are left to the date check."""
    dated = _blank(text, [(start, end) for start, end, _, _ in _date_like_spans(text)])
    mentions: list[NumberMention] = []
    for match in _DIGITS.finditer(dated) if _DIGIT.search(dated) else ():
        digits = match.group("number").replace(",", "")
        fraction = match.group("fraction")
        try:
            value = Decimal(f"{digits}.{fraction}" if fraction else digits)
        except InvalidOperation:  # pragma: no cover - the pattern admits only digits
            continue
        # Exact, however many digits (the default context keeps 28, and two long numbers
        # that differ past those would compare equal).
        exact = Context(prec=len(digits) + len(fraction or "") + 8, Emax=MAX_EMAX, Emin=MIN_EMIN)
        scale = match.group("scale") or match.group("abbreviation")
        if scale:
            value = exact.multiply(value, _SCALES.get(scale.lower()) or _SCALE_ABBREVIATIONS[scale.lower()])
        mentions.append(
            NumberMention(
                surface=text[match.start() : match.end()].strip(),
                value=exact.normalize(value),
                ordinal=bool(match.group("ordinal")),
                start=match.start(),
                end=match.end(),
            )
        )
    for start, end in _word_runs(dated):
        run = dated[start:end]
        parsed = _words_value(run)
        if parsed is None:
            continue
        value, ordinal = parsed
        # "$4 billion" is read with its digits above; a scale word right after digits is not
        # a number of its own.
        if run.lower() in _SCALES and re.search(r"\d\s*$", _before(dated, start)):
            continue
        exact = Context(prec=len(str(value)) + 8, Emax=MAX_EMAX, Emin=MIN_EMIN)
        mentions.append(NumberMention(run, exact.normalize(value), ordinal, start, end))
    mentions.sort(key=lambda mention: mention.start)
    return tuple(mentions)


def _checkable_numbers(text: str) -> list[NumberMention]:
    """The numbers a claim asserts: "one" as a word is left out ("one of", "no one", "one
    another" are rarely counts), and so are numbers that name things ("Resolution 1929")."""
    kept = []
    for mention in number_mentions(text):
        if not mention.ordinal and mention.value == 1 and not mention.surface[0].isdigit():
            continue
        if _NAMING_WORDS.search(_before(text, mention.start)):
            continue
        kept.append(mention)
    return kept


def _format(value: Decimal) -> str:
    return f"{int(value):,}" if value == value.to_integral_value() else f"{value:f}"


def number_not_in_evidence(claim: ClaimFacts) -> list[dict[str, str]]:
    """A number in the claim that no supporting quote contains in any form."""
    supporting = _supporting(claim)
    asserted = _checkable_numbers(claim.text) if supporting else ()
    if not asserted:
        return []  # the quotes are read only for a claim that states a number
    known = {mention.key for item in supporting for mention in number_mentions(item.quote)}
    warnings, reported = [], set()
    for mention in asserted:
        if mention.key in known or mention.key in reported:
            continue
        reported.add(mention.key)
        kind = "ordinal" if mention.ordinal else "number"
        value = _format(mention.value)
        shown = f'"{mention.surface}"'
        if mention.surface.replace(",", "") != value.replace(",", ""):
            shown += f" ({value})"
        warnings.append(
            warning(
                NUMBER_NOT_IN_EVIDENCE,
                f"The claim says {shown}, but no supporting quote contains that {kind} "
                "in any form (digits, words, percent or money).",
            )
        )
    return warnings


# ---------------------------------------------------------------------------------------------
# Dates

MONTHS = [calendar.month_name[number] for number in range(1, 13)]
_MONTH_NUMBER = {name.lower(): number for number, name in enumerate(MONTHS, start=1)}
for _number in range(1, 13):
    _abbreviation = calendar.month_abbr[_number].lower()
    if _abbreviation != "may":
        _MONTH_NUMBER.setdefault(_abbreviation, _number)
_MONTH_NUMBER["sept"] = 9
# "May" is a month only in a date's company; lower-case "may" is always the modal verb.
_MONTH = (
    r"(?:January|February|March|April|June|July|August|September|October|November|December"
    r"|(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?(?=\s+\d)"
    # Literal first, conditions after: a look-behind tried at every position is slow.
    r"|May(?:(?=\s+\d|,\s*\d)|(?<=\d\sMay)|(?<=mid-May)|"
    + "|".join(
        rf"(?<=\b{word}\sMay)"
        for word in "in of early late mid since until by from to last this next".split()
    )
    + "))"
)
_YEAR = r"(?:18|19|20)\d{2}"
# Every date begins with a month's capital or a digit.
_DATE = _scanned(
    rf"(?P<month_first>(?P<month_a>{_MONTH})(?:\s+(?P<day_a>[0-3]?\d)(?:st|nd|rd|th)?\b)?"
    rf"(?:,?\s+(?P<year_a>{_YEAR})\b)?)"
    rf"|(?P<day_first>\b(?P<day_b>[0-3]?\d)(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<month_b>{_MONTH})"
    rf"(?:,?\s+(?P<year_b>{_YEAR})\b)?)"
    rf"|(?<![\w.,$-])(?P<decade>(?:18|19|20)\d0)s\b"
    rf"|(?<![\w.,$])(?P<year>{_YEAR})(?!\w|[,.]\d)",
    r"[JFMASOND\d]",
)
# Relative expressions, resolved against the source's publication date.
_WEEKDAYS = [calendar.day_name[number] for number in range(7)]
_RELATIVE = _scanned(
    r"\b(?:(?:last|this|next|past|coming)\s+(?:week|month|year|summer|winter|spring|autumn|fall|weekend)"
    r"|(?:earlier|later)\s+this\s+(?:week|month|year)"
    r"|yesterday|today|tomorrow|recently|lately|in\s+recent\s+(?:days|weeks|months|years)"
    r"|(?:\d+|a|one|two|three|four|five|six|seven|eight|nine|ten|a\s+few|several)\s+(?:days|weeks|months|years|day|week|month|year)\s+ago"
    rf"|(?:on|last|this|next)\s+(?:{'|'.join(_WEEKDAYS)})"
    r")\b",
    r"[ltnpceyrioafs\d]",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class DateMention:
    surface: str
    year: int | None = None
    month: int | None = None
    day: int | None = None
    decade: int | None = None


_DIGIT = re.compile(r"\d")
_MONTH_HINTS = tuple(name.lower()[:3] for name in MONTHS)


@functools.lru_cache(maxsize=4096)
def _date_like_spans(text: str) -> tuple[tuple[int, int, str, dict], ...]:
    """(start, end, surface, groups) of every date-like match; read once per text."""
    found: list[tuple[int, int, str, dict]] = []
    if not (_DIGIT.search(text) or _hinted(text, _MONTH_HINTS)):
        return ()
    for match in _DATE.finditer(text):
        if match.group("year") and _NAMING_WORDS.search(_before(text, match.start())):
            continue
        found.append((match.start(), match.end(), match.group(0), match.groupdict()))
    return tuple(found)


@functools.lru_cache(maxsize=4096)
def date_mentions(text: str) -> tuple[DateMention, ...]:
    """Years, months, days and decades named in the text (cached: a quote is read by
    several checks, and a span by every claim citing it)."""
    mentions = []
    for _, _, surface, groups in _date_like_spans(text):
        if groups["decade"]:
            mentions.append(DateMention(surface, decade=int(groups["decade"])))
        elif groups["year"]:
            mentions.append(DateMention(surface, year=int(groups["year"])))
        else:
            month_text = groups["month_a"] or groups["month_b"]
            month = _MONTH_NUMBER[month_text.rstrip(".").lower()]
            day_text = groups["day_a"] or groups["day_b"]
            year_text = groups["year_a"] or groups["year_b"]
            day = int(day_text) if day_text else None
            if day is not None and not 1 <= day <= 31:
                day = None
            mentions.append(DateMention(surface, int(year_text) if year_text else None, month, day))
    return tuple(mentions)


_RELATIVE_HINTS = ("last", "this", "next", "past", "coming", "earlier", "later", "day", "tomorrow", "recent", "lately", "ago")


def relative_times(text: str) -> list[re.Match]:
    """Relative expressions in the text; a capitalised one mid-sentence is a name ("Russia
    Today"), not a time."""
    found: list[re.Match] = []
    if not _hinted(text, _RELATIVE_HINTS):
        return found
    for match in _RELATIVE.finditer(text):
        before = _before(text, match.start()).rstrip()
        if match.group(0)[0].isupper() and before and before[-1] not in ".!?\"“‘'(":
            continue
        found.append(match)
    return found


def _shift_month(year: int, month: int, delta: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + delta
    return index // 12, index % 12 + 1


def resolve_relative(expression: str, published_on: dt.date) -> list[dt.date]:
    """The dates a relative expression can mean, seen from the publication date (a month or
    a year is represented by its first day; days are exact)."""
    words = expression.lower().split()
    year, month = published_on.year, published_on.month
    if words[-1] == "ago":
        count_word = " ".join(words[:-2])
        count = int(count_word) if count_word.isdigit() else {"a": 1, "one": 1, "two": 2, "three": 3,
            "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10}.get(count_word)
        unit = words[-2].rstrip("s")
        if count is None:
            return []
        if unit == "year":
            return [dt.date(year - count, 1, 1)]
        if unit == "month":
            return [dt.date(*_shift_month(year, month, -count), 1)]
        days = count * (7 if unit == "week" else 1)
        return [published_on - dt.timedelta(days=days)]
    if words[-1] in {name.lower() for name in _WEEKDAYS}:
        weekday = [name.lower() for name in _WEEKDAYS].index(words[-1])
        back = (published_on.weekday() - weekday) % 7
        return [published_on - dt.timedelta(days=back), published_on - dt.timedelta(days=back + 7)]
    if words[-1] == "yesterday":
        return [published_on - dt.timedelta(days=1)]
    if words[-1] == "tomorrow":
        return [published_on + dt.timedelta(days=1)]
    if words[-1] in {"today", "recently", "lately"} or words[-1] in {"days", "weeks", "months", "years"}:
        return [published_on]
    delta = {"last": -1, "past": -1, "this": 0, "earlier": 0, "later": 0, "next": 1, "coming": 1}[words[0]]
    unit = words[-1]
    if unit == "year":
        return [dt.date(year + delta, 1, 1)]
    if unit == "month":
        return [dt.date(*_shift_month(year, month, delta), 1)]
    if unit in {"week", "weekend"}:
        return [published_on + dt.timedelta(days=7 * delta)]
    # A season: its year.
    return [dt.date(year + (delta if delta > 0 else 0), 1, 1)]


@dataclass
class _DateSupport:
    years: set[int]
    months: set[int]
    year_months: set[tuple[int, int]]
    days: set[tuple[int, int]]
    dates: set[dt.date]
    decades: set[int]

    def year(self, year: int) -> bool:
        return year in self.years

    def month(self, month: int, year: int | None = None) -> bool:
        return month in self.months or (year is not None and (year, month) in self.year_months)

    def day(self, month: int, day: int) -> bool:
        return (month, day) in self.days


def _date_support(evidence: Iterable[EvidenceFacts]) -> _DateSupport:
    support = _DateSupport(set(), set(), set(), set(), set(), set())

    def add_date(date: dt.date, *, exact: bool) -> None:
        support.years.add(date.year)
        support.year_months.add((date.year, date.month))
        if exact:
            support.days.add((date.month, date.day))
            support.dates.add(date)

    for item in evidence:
        published_on = item.source.published_on
        if published_on is not None:
            add_date(published_on, exact=True)
        for mention in date_mentions(item.quote):
            if mention.decade is not None:
                support.decades.add(mention.decade)
            if mention.year is not None:
                support.years.add(mention.year)
            if mention.month is not None:
                support.months.add(mention.month)
                if mention.year is not None:
                    support.year_months.add((mention.year, mention.month))
                if mention.day is not None:
                    support.days.add((mention.month, mention.day))
        if published_on is not None:
            for match in relative_times(item.quote):
                try:
                    dates = resolve_relative(match.group(0), published_on)
                except (ValueError, OverflowError):
                    # Seen from a day at the calendar's edge (a source dated 0001-01-01 or
                    # 9999-12-31), "two years ago" or "tomorrow" is no date Python has: it
                    # supports none, where it had failed the claim's every save.
                    continue
                for date in dates:
                    add_date(date, exact=match.group(0).lower().split()[-1] not in {"year", "month"})
    return support


def _granularity(date: dt.date, *, end: bool) -> str:
    if end:
        if (date.month, date.day) == (12, 31):
            return "year"
        if date.day == calendar.monthrange(date.year, date.month)[1]:
            return "month"
        return "day"
    if (date.month, date.day) == (1, 1):
        return "year"
    return "month" if date.day == 1 else "day"


def date_not_in_evidence(claim: ClaimFacts) -> list[dict[str, str]]:
    """A year, month or day in the claim or its period that no supporting quote, and no
    supporting source's publication date, gives."""
    supporting = _supporting(claim)
    named = date_mentions(claim.text) if supporting else ()
    if not named and (not supporting or (claim.period_start is None and claim.period_end is None)):
        return []  # the quotes are read only for a claim that names a date
    support = _date_support(supporting)
    missing: list[str] = []
    reported: set[tuple] = set()

    def note(what: str, key: tuple) -> None:
        # One warning per missing year, month or day, whether the text or the period names it.
        if key not in reported:
            reported.add(key)
            missing.append(what)

    for mention in named:
        if mention.decade is not None:
            decade_years = range(mention.decade, mention.decade + 10)
            if mention.decade not in support.decades and not support.years.intersection(decade_years):
                note(f'the decade "{mention.surface}"', ("decade", mention.decade))
            continue
        if mention.year is not None and not support.year(mention.year):
            note(f'the year "{mention.year}"', ("year", mention.year))
        if mention.month is not None and not support.month(mention.month, mention.year):
            note(f'the month "{MONTHS[mention.month - 1]}"', ("month", mention.month))
        if mention.day is not None and not support.day(mention.month, mention.day):
            note(f'the day "{MONTHS[mention.month - 1]} {mention.day}"', ("day", mention.month, mention.day))

    for label, date, end in (("starts", claim.period_start, False), ("ends", claim.period_end, True)):
        if date is None:
            continue
        level = _granularity(date, end=end)
        decade_covers = date.year - date.year % 10 in support.decades
        if not (support.year(date.year) or decade_covers):
            note(f'the year "{date.year}" (the period {label} on {date.isoformat()})', ("year", date.year))
        elif level in {"month", "day"} and not support.month(date.month, date.year):
            note(f'the month "{MONTHS[date.month - 1]}" (the period {label} on {date.isoformat()})', ("month", date.month))
        elif level == "day" and not support.day(date.month, date.day):
            note(
                f'the day "{MONTHS[date.month - 1]} {date.day}" (the period {label} on {date.isoformat()})',
                ("day", date.month, date.day),
            )
    return [
        warning(
            DATE_NOT_IN_EVIDENCE,
            f"No supporting quote or source publication date gives {what}.",
        )
        for what in missing
    ]


# ---------------------------------------------------------------------------------------------
# Hedges

_HEDGE = _scanned(
    r"\b(?:most\s+likely|more\s+likely|likely|probably|possibly|perhaps|presumably|reportedly"
    r"|allegedly|alleged|purportedly|supposedly|rumou?red|appears?\s+to|appeared\s+to|seems?\s+to"
    r"|seemed\s+to|(?:is|are|was|were)\s+(?:widely\s+)?believed|believed\s+to|is\s+thought\s+to"
    r"|according\s+to|(?-i:may|might)(?!\s+not\b\s+be\s+able)|could(?!\s+not\b|n't)|suggests?\s+that"
    r"|unconfirmed|speculat\w*)\b",
    "[mlprasiwbcu]",
    re.IGNORECASE,
)
# Words by which a claim keeps the hedge, or attributes the statement to whoever made it.
_ATTRIBUTION = _scanned(
    r"\b(?:said|says|say|saying|stated|states|reported|reports|reporting|according\s+to|claimed"
    r"|claims|claim|told|wrote|writes|argued|argues|argue|suggested|suggests|believes|believed"
    r"|described|describes|called|calls|announced|announces|estimated|estimates|assessed|warned"
    r"|warns|asserted|asserts|insisted|insists|denied|denies|speculated|speculates|expects"
    r"|expected|predicted|predicts|hoped|hopes|quoted|cited|cites|noted|notes|accused|accuses"
    r"|judged|judges|guessed|guesses|view|views|author|analyst|analysts|critici[sz]ed|critici[sz]es"
    r"|condemned|condemns|urged|urges|demanded|demands)\b",
    "[sratwcbdeiphqnjgvu]",
    re.IGNORECASE,
)


# Substrings without which no hedge can match: a quick test spares most texts the pattern.
_HEDGE_HINTS = (
    "likely", "probabl", "possibl", "perhaps", "presumabl", "reported", "alleg", "purport",
    "suppos", "rumo", "appear", "seem", "believ", "thought", "according", "may", "might",
    "could", "suggest", "unconfirm", "speculat",
)


def _hinted(text: str, hints: tuple[str, ...]) -> bool:
    """Whether the text holds any of the hints (lowercase): a substring search each, which
    costs less than one scan by a pattern of them all (3.0 against 4.1 us a text of the bench
    corpus, for the hedges' 21 hints)."""
    lowered = text.lower()
    return any(hint in lowered for hint in hints)


def hedges_in(text: str) -> list[str]:
    seen: list[str] = []
    if not _hinted(text, _HEDGE_HINTS):
        return seen
    for match in _HEDGE.finditer(text):
        word = " ".join(match.group(0).split())
        if word.lower() not in {seen_word.lower() for seen_word in seen}:
            seen.append(word)
    return seen


def hedged_evidence(claim: ClaimFacts) -> list[dict[str, str]]:
    """A quote the verdict rests on hedges, while confidence is high, or the claim drops the
    hedge (states as fact what the quote only reports, guesses or attributes)."""
    if claim.verdict == "unverifiable":
        return []  # the hedge is the verdict
    warnings = []
    claim_attributes = None  # read once a quote hedges: most quotes do not
    for item in claim.evidence:
        if item.stance not in (SUPPORTS, REFUTES):
            continue
        hedges = hedges_in(item.quote)
        if not hedges:
            continue
        if claim_attributes is None:
            claim_attributes = bool(hedges_in(claim.text)) or bool(_ATTRIBUTION.search(claim.text))
        words = ", ".join(f'"{word}"' for word in hedges)
        role = "supporting" if item.stance == SUPPORTS else "refuting"
        quote = f'"{_shorten(item.quote)}"'
        if not claim_attributes:
            reason = "but the claim states it without the hedge or an attribution"
            if claim.confidence == HIGH:
                reason += ", with high confidence"
        elif claim.confidence == HIGH and not _ATTRIBUTION.search(claim.text):
            reason = "while confidence is high"
        else:
            continue
        warnings.append(warning(HEDGED_EVIDENCE, f"The {role} quote {quote} hedges ({words}), {reason}."))
    return warnings


# ---------------------------------------------------------------------------------------------
# Sources


def _bearing_sources(claim: ClaimFacts) -> list[SourceFacts]:
    """The distinct sources of the evidence the verdict rests on (all evidence if none)."""
    items = [item for item in claim.evidence if item.stance in (SUPPORTS, REFUTES)] or list(claim.evidence)
    sources: dict[object, SourceFacts] = {}
    for item in items:
        sources.setdefault(item.source.id if item.source.id is not None else id(item.source), item.source)
    return list(sources.values())


def _name(source: SourceFacts) -> str:
    return f'"{_shorten(source.title, 60)}"' if source.title else f"#{source.id}"


def single_source(claim: ClaimFacts) -> list[dict[str, str]]:
    """High confidence on the word of one source."""
    sources = _bearing_sources(claim)
    if claim.confidence != HIGH or len(sources) != 1:
        return []
    return [
        warning(
            SINGLE_SOURCE,
            f"High confidence rests on a single source ({_name(sources[0])}); cite a second "
            "independent source or lower the confidence.",
        )
    ]


def low_reliability(claim: ClaimFacts) -> list[dict[str, str]]:
    """High confidence when every source is graded D to F (unreliable or cannot be judged)."""
    sources = _bearing_sources(claim)
    if claim.confidence != HIGH or not sources:
        return []
    if any((source.reliability or "F").upper() not in WEAK_GRADES for source in sources):
        return []
    grades = ", ".join(f"{_name(source)} is {(source.reliability or 'F').upper()}" for source in sources)
    return [
        warning(
            LOW_RELIABILITY,
            f"High confidence, but every source is graded D to F ({grades}).",
        )
    ]


def unresolved_relative_time(claim: ClaimFacts) -> list[dict[str, str]]:
    """A relative time ("last month", "recently") in a quote whose source has no publication
    date, so that nobody can tell when it was."""
    warnings = []
    for item in claim.evidence:
        if item.source.published_on is not None:
            continue
        found = []
        for match in relative_times(item.quote):
            expression = " ".join(match.group(0).split())
            if expression.lower() not in {seen.lower() for seen in found}:
                found.append(expression)
        if found:
            words = ", ".join(f'"{expression}"' for expression in found)
            warnings.append(
                warning(
                    UNRESOLVED_RELATIVE_TIME,
                    f'The quote "{_shorten(item.quote)}" says {words}, but its source '
                    f"{_name(item.source)} has no publication date to resolve it.",
                )
            )
    return warnings


CHECKS = (
    number_not_in_evidence,
    date_not_in_evidence,
    hedged_evidence,
    single_source,
    low_reliability,
    unresolved_relative_time,
)


def run_checks(claim: ClaimFacts) -> list[dict[str, str]]:
    """Every warning for the claim, check by check, in a stable order."""
    return [found for check in CHECKS for found in check(claim)]
