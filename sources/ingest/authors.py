"""A page's authors as the page shows them, parted into people: what trafilatura finds
(meta tags, JSON-LD, bylines), each person named once, joined by "; " as trafilatura
joins them.

Trafilatura's ``normalize_authors`` parts a name at every comma, ``;``, ``/``, ``|``,
``&``, "and" and "und", unescapes what the parser decoded already, and takes out of each
name its periods, brackets, digits and what they enclose: "Tom &amp; Jerry Ltd" (as a
page showed it) became "Tom; Amp; Jerry Ltd", "AT&T Research" "AT; T Research",
"J. R. R. Tolkien" "J R R Tolkien", "Smith, John" two people. It is replaced (both
modules that call it) by ``authors_named_whole``."""

from __future__ import annotations

import json
import re
import unicodedata
from html import unescape

import trafilatura.json_metadata
import trafilatura.metadata
from trafilatura.json_metadata import AUTHOR_EMAIL, AUTHOR_EMOJI_REMOVE, AUTHOR_PREFIX, AUTHOR_REMOVE_PREPOSITION, AUTHOR_TWITTER

# A comma inside one person's name ("Smith, John" in a ``citation_author``), written so
# while the people are parted (a noncharacter no page text holds,
# ``html.without_characters_xml_cannot_hold``), and a comma again after.
IN_NAME = "\ufdd1"
# Where one person always ends: a slash, a bar, or a semicolon, but the one that ends a
# character reference the page shows as such ("Tom &amp; Jerry", "Jos&#233; Ruiz"); the
# slash of a closing tag the page shows as text ("</b>") is none.
_APART_OR_REFERENCE = re.compile(r"&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);|[|;]|(?<!<)/")
# "&", "and", "und" between two names: between people only when each side is a name of
# two words or more ("Jane Roe & John Doe"); "Tom & Jerry Ltd", "Smith & Co", "A & B" are
# one name each. An ampersand inside a word ("AT&T") parts nothing.
_CONJUNCTION = re.compile(r"(\s+(?:&|and|und)\s+)", re.IGNORECASE)
# What follows a name after a comma and belongs to it: "Jr.", "Sr", "III", "PhD", "M.D."...
_SUFFIX = re.compile(r"(?:[JS]r|I{2,3}|IV|Ph\.?\s?D|M\.?D|D\.?Phil|Esq|MBA|MPH)\.?", re.IGNORECASE)
# A surname of "Last, First": one word, after the particles written in lower case that
# begin many ("van der Berg", "de la Cruz", "da Silva", "ten Boom").
_SURNAME = re.compile(r"(?:(?:van|von|de|der|den|des|del|della|da|das|do|dos|di|du|le|la|ten|ter|zu|zur)\s+)*\S+")
# Meta tags that name one person each (Highwire Press's ``citation_author``; Dublin Core's
# creator), often "Last, First".
_ONE_PERSON_META = frozenset({"citation_author", "dc.creator", "dc:creator", "dcterms.creator"})
# A user name's joiners ("jane_roe", "jane+roe"); not the period of an initial.
_JOINERS = re.compile(r"[_+]")
# A date or a count after the name ("Jane Roe 12 March 2024", "Jane Roe 5 min read"); a
# digit inside a word is the name's.
_NUMBER_AFTER = re.compile(r"\s\d.*$")
# How an ``&`` is written for trafilatura's last unescaping (``html._AMPERSAND``), and a
# ``<`` of an author's meta tag for its removal of tags (``author_tags_as_shown``).
_AMPERSAND, _LESS_THAN = "&#38;", "&#60;"
_EDGES = " ,;:|/-\u2013\u2014\u00b7\u2022"


def _apart(written: str) -> list[str]:
    """``written`` parted where one person always ends (``_APART_OR_REFERENCE``)."""
    groups, start = [], 0
    for found in _APART_OR_REFERENCE.finditer(written):
        if len(found.group()) == 1:
            groups.append(written[start : found.start()])
            start = found.end()
    return [*groups, written[start:]]


def _joined_people(group: str) -> list[str]:
    """``group`` parted at each conjunction between two names of two words or more."""
    pieces = _CONJUNCTION.split(group)
    people = [pieces[0]]
    for conjunction, piece in zip(pieces[1::2], pieces[2::2]):
        if len(people[-1].split()) >= 2 and len(piece.split()) >= 2:
            people.append(piece)
        else:
            people[-1] += conjunction + piece
    return people


def _last_first(named: list[tuple[str, list[str]]]) -> list[tuple[str, list[str]]]:
    """Pairs of "Last, First" (each surname a single word, perhaps after its particles,
    ``_SURNAME``) made one person each: "Roe, Jane", "van der Berg, Anna"."""
    surnames = named[0::2]
    if len(named) % 2 == 0 and all(_SURNAME.fullmatch(AUTHOR_PREFIX.sub("", last)) and not suffixes for last, suffixes in surnames):
        return [(f"{last}, {first}", suffixes) for (last, _), (first, suffixes) in zip(surnames, named[1::2])]
    return named


def people(written: str) -> list[tuple[str, list[str]]]:
    """The people ``written`` names, each as (name, suffixes): apart at a slash, a bar or
    a semicolon (``_apart``), at a conjunction between two names (``_joined_people``),
    and at a comma unless the comma is inside a name: before a suffix ("Martin Luther
    King, Jr."), or after the surname of "Last, First" (``_last_first``: "Smith, John,
    Doe, Jane A."). "Jane Roe, John Doe" is two people."""
    found: list[tuple[str, list[str]]] = []
    for group in (person for part in _apart(written) for person in _joined_people(part)):
        named: list[tuple[str, list[str]]] = []
        for part in (part.strip() for part in group.split(",")):
            if named and _SUFFIX.fullmatch(part):
                named[-1][1].append(part)
            elif part:
                named.append((part, []))
        found += _last_first(named)
    return found


def _cleaned(name: str) -> str:
    """One person's name as the page shows it, without what stands around a name in a
    byline: a leading "By" (but the "von" of "von Neumann, John", which trafilatura takes
    for German "by"), a @handle, emoji, what follows "for", "in", "via", a dash...
    ("Jane Roe for Reuters"), a date or count after it. Its capitals, periods, ampersands,
    brackets and digits inside words are the name's."""
    name = AUTHOR_TWITTER.sub("", AUTHOR_EMOJI_REMOVE.sub("", name))
    name = " ".join(_JOINERS.sub(" ", name).split())
    written_last_first = "," in name or IN_NAME in name
    if not (written_last_first and name.lower().startswith("von ")):
        name = AUTHOR_PREFIX.sub("", name)
    name = AUTHOR_REMOVE_PREPOSITION.sub("", _NUMBER_AFTER.sub("", name)).strip(_EDGES)
    if not name or (len(name) >= 50 and " " not in name and "-" not in name):
        return ""
    # Never capitalised, as trafilatura would: "van der Berg, Anna" and "danah boyd" are
    # written so by their authors.
    return name


def _as_shown(written: str) -> str:
    """``written`` as the page shows it: the parser decoded its references once, and
    ``html._escape_ampersands`` wrote each ``&`` of it (and ``author_tags_as_shown`` each
    ``<``) as a reference, which this decodes; JSON-LD, which the parser leaves as
    written, has its ``&amp;`` decoded so too. A ``\\u`` escape of JSON is read as
    trafilatura reads it, in text that is ASCII (read so, other characters would be
    mistaken)."""
    if "\\u" in written and written.isascii():
        try:
            written = written.encode().decode("unicode_escape")
        except UnicodeDecodeError:
            pass
    return unescape(written)


# The most names a page's authors are read to: more than a source's authors (500
# characters) can hold. Trafilatura asks once for each name the page gives, and each time
# every name is weighed against every other: 2,000 authors (a 100 KB page) had held a
# worker for five minutes; the names past these are never stored anyway.
MOST_AUTHORS = 60


def _in_a_name(character: str) -> bool:
    """Whether ``character`` goes on a name's word: a letter or digit, a mark on one (an
    accent written apart, a vowel sign: "कुमारी" is not "कुमार" and more), a hyphen or an
    apostrophe ("Li-Wei", "O'Brien")."""
    return character.isalnum() or unicodedata.category(character)[0] == "M" or character in "-'\u2019\u2010\u2011"


def _part_of(name: str, other: str) -> bool:
    """Whether ``name`` stands in ``other`` as whole words ("Jane Roe" in "Jane Roe, Jr.";
    "Ann Li" is not in "Ann Lieberman", nor in "Ann Li-Wei")."""
    start = other.find(name)
    while start != -1:
        end = start + len(name)
        if (start == 0 or not _in_a_name(other[start - 1])) and (end == len(other) or not _in_a_name(other[end])):
            return True
        start = other.find(name, start + 1)
    return False


def authors_named_whole(current: str | None, written: str) -> str | None:
    """Trafilatura's ``normalize_authors`` (see above): the people of ``written`` as the
    page shows them (``_as_shown``), parted only between people (``people``), each
    cleaned of a byline's words (``_cleaned``) and kept whole, its commas and suffixes
    with it; added to ``current``, up to ``MOST_AUTHORS`` names."""
    if written.lower().startswith("http") or AUTHOR_EMAIL.match(written):
        return current
    names = current.split("; ") if current else []
    if len(names) >= MOST_AUTHORS:
        return current
    for name, suffixes in people(_as_shown(written)):
        cleaned = _cleaned(name)
        if not cleaned:
            continue
        # Escaped: trafilatura unescapes every value it found once more (``clean_and_trim``).
        whole = ", ".join([cleaned.replace(IN_NAME, ","), *suffixes]).replace("&", _AMPERSAND)
        if whole not in names:
            names.append(whole)
            if len(names) == MOST_AUTHORS:
                break
    # As trafilatura does, only the fullest form of each name ("Jane Roe" in "Jane Roe,
    # Jr."), but by whole words: trafilatura's rule of any substring dropped "Ann Li" beside
    # "Ann Lieberman".
    names = [name for name in names if not any(name != other and _part_of(name, other) for other in names)]
    return "; ".join(names) or current


trafilatura.json_metadata.normalize_authors = authors_named_whole
trafilatura.metadata.normalize_authors = authors_named_whole


def author_tags_as_shown(tree) -> None:
    """In the meta tags that name authors: the commas of a tag that names one person
    (``_ONE_PERSON_META``) written as ``IN_NAME`` (the whole value is one author); each
    ``<`` written as a reference, which trafilatura, taking it for the start of a tag,
    removed with what followed ("<script>alert(1)</script> Name", as a page showed it,
    became "Alert Name")."""
    for meta in tree.iter("meta"):
        kind, content = (meta.get("name") or meta.get("property") or "").lower(), meta.get("content") or ""
        if kind in _ONE_PERSON_META and "," in content:
            content = content.replace(",", IN_NAME)
        if ("author" in kind or "creator" in kind) and "<" in content:
            content = content.replace("<", _LESS_THAN)
        if content != (meta.get("content") or ""):
            meta.set("content", content)


def organisation_authors_kept(tree) -> None:
    """In the page's JSON-LD, each author that is not a person (an ``Organization``, a
    ``NewsMediaOrganization``) written without its type: trafilatura keeps only the authors
    typed ``Person`` or untyped, and "Acme Research", the page's author, was dropped. A
    block that is not JSON, or names no such author, is left as written."""
    for script in tree.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json" or not script.text:
            continue
        try:
            data = json.loads(script.text)
        except (ValueError, RecursionError):
            continue
        if _untyped_organisations(data):
            try:
                script.text = json.dumps(data, ensure_ascii=False)
            except (ValueError, RecursionError):
                continue


def _untyped_organisations(data) -> bool:
    """Whether an author of ``data`` (JSON) that is not a person was found, and its type
    taken out."""
    found, pending = False, [data]
    while pending:
        value = pending.pop()
        if isinstance(value, list):
            pending.extend(value)
        elif isinstance(value, dict):
            authors = value.get("author")
            for author in authors if isinstance(authors, list) else [authors]:
                kinds = author.get("@type") if isinstance(author, dict) else None
                if kinds is not None and "Person" not in (kinds if isinstance(kinds, list) else [kinds]):
                    del author["@type"]
                    found = True
            pending.extend(value.values())
    return found
