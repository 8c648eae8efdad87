"""What the PDF reader reads of right-to-left text (Hebrew, Arabic, Persian, and such text
mixed with English words, numbers, brackets and punctuation) against what Chromium shows
of the page it printed (``innerText``), this checkout beside another revision's
``sources/ingest/pdf.py``; and what each costs.

    .venv/bin/python bench/pdf_right_to_left.py [--baseline main] [--seed 7] [--pages 120] [--book-pages 200] [--record]

The corpus (seeded): ``--pages`` HTML pages of paragraphs and lists in Hebrew, Arabic or
Persian, right to left, some with English words, numbers (``1,250,000``, ``28%``, Persian
and Arabic-Indic digits, ``+98 21``), brackets, code such as ``f(x)``, quotes and dashes,
in the fonts the machine has for these languages (``fc-list :lang=he``, ``:lang=ar``,
``:lang=fa``); and English pages of the same shapes. Chromium (``/usr/bin/chromium``,
through Playwright; no browser downloaded) prints each page to PDF and gives its
``innerText``.

The baseline's ``pdf.py`` (``git show REV:sources/ingest/pdf.py``) is loaded as a module
beside this checkout's, and both read every PDF in this process (``read_pdf``, no child
process), in turns. A reading's score: the share of ``innerText``'s words found in it in
their order (the matching blocks of the two word sequences), and whether the page is
exact (the same words, white space collapsed, a list's bullets left out); a page is
better or worse than the baseline by its share of words found, and any page worse is
listed. The time is the processor time of a reading
per PDF page, median over the corpus; ``--book-pages`` of Hebrew prose with numbers and
English words here and there are read three times by each, in turns, the lower time taken.
The English pages must read byte for byte as the baseline reads them.
"""

from __future__ import annotations

import argparse
import difflib
import importlib.util
import io
import random
import statistics
import subprocess
import sys
import time

from bench_support import PROJECT_DIR, publish, table

sys.path.insert(0, str(PROJECT_DIR))

CHROMIUM = "/usr/bin/chromium"

HEBREW = (
    "שלום עולם זהו טקסט ארוך על יחסי איראן ורוסיה בשנים האחרונות הממשלה הודיעה כי ההסכם נחתם "
    "במוסקבה לאחר שיחות ארוכות בין השרים שני הצדדים הסכימו להרחיב את שיתוף הפעולה בתחום האנרגיה "
    "והתחבורה הדוח מציין ירידה ביצוא הנפט ועלייה בסחר הדו צדדי"
).split()
ARABIC = (
    "قالت الوزارة إن الاتفاق لا يزال قائما بين إيران وروسيا في مجال الطاقة والنقل وأضاف المتحدث "
    "أن المحادثات ستستمر الأسبوع المقبل في موسكو وطهران بحضور الوزراء والخبراء من الجانبين "
    "وأشار التقرير إلى ارتفاع حجم التبادل التجاري"
).split()
PERSIAN = (
    "در تهران روسیه و ایران توافق کردند که همکاری در زمینه انرژی و حمل و نقل گسترش یابد "
    "وزیر امور خارجه گفت این قرارداد برای هر دو کشور مهم است گزارش نشان می‌دهد صادرات نفت "
    "کاهش یافته و تجارت دوجانبه افزایش یافته است"
).split()
ENGLISH = (
    "the ministry said the agreement between Iran and Russia remains in force energy transport "
    "talks will continue next week in Moscow and Tehran with ministers and experts from both "
    "sides the report notes a rise in bilateral trade"
).split()
LANGUAGES = {"he": HEBREW, "ar": ARABIC, "fa": PERSIAN}
PERSIAN_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
ARABIC_DIGITS = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


def fonts_for(language: str) -> list[str]:
    """The families fontconfig knows for a language, DejaVu Sans at least."""
    try:
        listed = subprocess.run(["fc-list", f":lang={language}", "family"], capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        listed = ""
    families = sorted({line.split(",")[0].strip() for line in listed.splitlines() if line.strip()})
    return families or ["DejaVu Sans"]


def _insertion(language: str, chance: random.Random) -> str:
    """Something a right-to-left sentence holds beside its words: a number, English words, a
    bracket, code, a percentage, a telephone number."""
    kind = chance.randrange(9)
    number = str(chance.randrange(1, 2_000_000))
    if kind == 0:
        return f"{int(number):,}"
    if kind == 1:
        return " ".join(chance.sample(ENGLISH, chance.randint(1, 3)))
    if kind == 2:
        return "(" + " ".join(chance.sample(LANGUAGES[language], chance.randint(1, 3))) + ")"
    if kind == 3:
        return chance.choice(["f(x)", "g(y, z)", "a[i]", "x + y"])
    if kind == 4:
        return f"{chance.randrange(1, 100)}%"
    if kind == 5:
        return chance.choice(["+98 21", "2024", "3.5"])
    if kind == 6 and language == "fa":
        return number.translate(PERSIAN_DIGITS)
    if kind == 6 and language == "ar":
        return number.translate(ARABIC_DIGITS)
    if kind == 7:
        return "«" + chance.choice(LANGUAGES[language]) + "»"
    return chance.choice(["-", ":", "،", "؟", "!"])


def sentence(language: str, chance: random.Random, mixed: bool) -> str:
    words = [chance.choice(LANGUAGES[language]) for _ in range(chance.randint(4, 14))]
    if mixed:
        for _ in range(chance.randint(1, 3)):
            words.insert(chance.randrange(len(words) + 1), _insertion(language, chance))
    return " ".join(words) + chance.choice([".", ".", "؟" if language != "he" else "?", "!"])


def page_html(language: str, chance: random.Random, *, mixed: bool, font: str) -> str:
    """A page of paragraphs and a list or two, right to left (English: left to right)."""
    blocks = []
    for _ in range(chance.randint(2, 6)):
        if language == "en":
            text = " ".join(chance.choice(ENGLISH) for _ in range(chance.randint(8, 40))).capitalize() + "."
        else:
            text = " ".join(sentence(language, chance, mixed) for _ in range(chance.randint(1, 4)))
        if chance.random() < 0.25:
            items = "".join(f"<li>{text.split('.')[0][:80]} {number}</li>" for number in range(chance.randint(2, 4)))
            blocks.append(f"<ul>{items}</ul>")
        else:
            blocks.append(f"<p>{text}</p>")
    direction = "ltr" if language == "en" else "rtl"
    return (
        f'<!doctype html><html lang="{language}" dir="{direction}"><head><meta charset="utf-8"></head>'
        f'<body style="font-family: \'{font}\'; font-size: {chance.choice([12, 14, 16])}px; max-width: 40em">'
        + "".join(blocks)
        + "</body></html>"
    )


def book_html(pages: int, chance: random.Random) -> str:
    """Hebrew prose of about ``pages`` printed pages, numbers and English words here and
    there."""
    paragraphs = []
    for _ in range(pages * 13):
        paragraphs.append("<p>" + " ".join(sentence("he", chance, chance.random() < 0.3) for _ in range(5)) + "</p>")
    return '<!doctype html><html lang="he" dir="rtl"><body style="font-family: \'DejaVu Sans\'">' + "".join(paragraphs) + "</body></html>"


def printed(pages: list[str]) -> list[tuple[bytes, str]]:
    """Each page printed by Chromium, with its ``innerText``."""
    from playwright.sync_api import sync_playwright

    found = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM)
        tab = browser.new_page()
        for html in pages:
            tab.set_content(html)
            found.append((tab.pdf(), tab.evaluate("document.body.innerText")))
        browser.close()
    return found


def reader_of(revision: str):
    """``sources/ingest/pdf.py`` as it is at ``revision``, a module beside this checkout's
    (its relative imports resolved in ``sources.ingest``)."""
    importlib.import_module("sources.ingest")

    code = subprocess.run(
        ["git", "show", f"{revision}:sources/ingest/pdf.py"], cwd=PROJECT_DIR, capture_output=True, text=True, check=True
    ).stdout
    name = "sources.ingest._pdf_" + revision.replace("/", "_").replace("-", "_").replace("~", "_").replace("^", "_")
    spec = importlib.util.spec_from_loader(name, loader=None)
    module = importlib.util.module_from_spec(spec)
    module.__package__ = "sources.ingest"
    module.__file__ = str(PROJECT_DIR / "sources" / "ingest" / "pdf.py")
    exec(compile(code, f"{revision}:sources/ingest/pdf.py", "exec"), module.__dict__)
    sys.modules[name] = module
    return module


def flat(text: str) -> str:
    """A text's words, white space collapsed: Chromium's ``innerText`` has a paragraph a
    line, the PDF a line as printed; a list's bullets (drawn, not in ``innerText``) left
    out."""
    return " ".join(word for word in text.split() if word != "•")


def words_found(shown: str, read: str) -> float:
    """The share of the shown words found in the reading in their order."""
    expected, got = flat(shown).split(), flat(read).split()
    if not expected:
        return 1.0
    matcher = difflib.SequenceMatcher(None, expected, got, autojunk=False)
    return sum(block.size for block in matcher.get_matching_blocks()) / len(expected)


def read_timed(module, data: bytes) -> tuple[str, float, int]:
    started = time.process_time()
    try:
        text, _ = module.read_pdf(io.BytesIO(data))
    except Exception as error:  # noqa: BLE001 - a refusal is a reading too
        text = f"refused: {error}"
    seconds = time.process_time() - started
    import pypdfium2

    document = pypdfium2.PdfDocument(data)
    count = len(document)
    document.close()
    return text, seconds, count


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline", default="main")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--pages", type=int, default=120)
    parser.add_argument("--english", type=int, default=30)
    parser.add_argument("--book-pages", type=int, default=200)
    parser.add_argument("--record", action="store_true")
    arguments = parser.parse_args(argv)
    from sources.ingest import pdf as current

    baseline = reader_of(arguments.baseline)
    chance = random.Random(arguments.seed)
    corpus = []
    for number in range(arguments.pages):
        language = ("he", "ar", "fa")[number % 3]
        font = chance.choice(fonts_for(language))
        corpus.append((language, number % 2 == 1, page_html(language, chance, mixed=number % 2 == 1, font=font)))
    english = [page_html("en", chance, mixed=False, font=chance.choice(["DejaVu Sans", "DejaVu Serif", "DejaVu Sans Mono"])) for _ in range(arguments.english)]
    started = time.time()
    documents = printed([html for _, _, html in corpus] + english)
    print(f"{len(documents)} pages printed by Chromium in {time.time() - started:.0f} s", file=sys.stderr)

    rows = {}
    seconds = {"baseline": [], "this checkout": []}
    better = worse = 0
    worse_pages = []
    for number, ((language, mixed, _), (data, shown)) in enumerate(zip(corpus, documents)):
        scores = {}
        for name, module in (("baseline", baseline), ("this checkout", current)):
            text, spent, count = read_timed(module, data)
            seconds[name].append(spent / count)
            key = (name, language, "mixed" if mixed else "plain")
            found, exact, total = rows.get(key, (0.0, 0, 0))
            scores[name] = words_found(shown, text)
            rows[key] = (found + scores[name], exact + (flat(text) == flat(shown)), total + 1)
        if scores["this checkout"] > scores["baseline"] + 1e-9:
            better += 1
        elif scores["this checkout"] < scores["baseline"] - 1e-9:
            worse += 1
            worse_pages.append(f"page {number} ({language}, {'mixed' if mixed else 'plain'}): {scores['baseline']:.3f} -> {scores['this checkout']:.3f}")
    english_same = 0
    for data, _ in documents[len(corpus) :]:
        before, _, _ = read_timed(baseline, data)
        after, _, _ = read_timed(current, data)
        english_same += before == after

    book = printed([book_html(arguments.book_pages, chance)])[0][0] if arguments.book_pages else None
    book_seconds = {}
    if book:
        for name in ("baseline", "this checkout"):
            book_seconds[name] = []
        for _ in range(3):
            for name, module in (("baseline", baseline), ("this checkout", current)):
                book_seconds[name].append(read_timed(module, book)[1])

    table_rows = []
    for language in ("he", "ar", "fa"):
        for kind in ("plain", "mixed"):
            cells = [language, kind]
            for name in ("baseline", "this checkout"):
                found, exact, total = rows.get((name, language, kind), (0.0, 0, 0))
                cells += [f"{found / max(total, 1):.3f}", f"{exact} of {total}"]
            table_rows.append(cells)
    totals = {}
    for name in ("baseline", "this checkout"):
        found = sum(value[0] for key, value in rows.items() if key[0] == name)
        exact = sum(value[1] for key, value in rows.items() if key[0] == name)
        total = sum(value[2] for key, value in rows.items() if key[0] == name)
        totals[name] = (found / max(total, 1), exact, total)
    summary = [
        f"right-to-left pages: words found in order {totals['baseline'][0]:.3f} (baseline {arguments.baseline}) -> {totals['this checkout'][0]:.3f} (this checkout); "
        f"pages exact {totals['baseline'][1]} -> {totals['this checkout'][1]} of {totals['this checkout'][2]}",
        f"pages better by words found in order: {better}, worse: {worse}" + ("".join(f"\n  {line}" for line in worse_pages)),
        f"median processor time a PDF page: {statistics.median(seconds['baseline']) * 1000:.2f} ms -> {statistics.median(seconds['this checkout']) * 1000:.2f} ms",
        f"English pages read byte for byte as the baseline reads them: {english_same} of {len(english)}",
    ]
    if book:
        before, after = min(book_seconds["baseline"]), min(book_seconds["this checkout"])
        import pypdfium2

        printed_pages = len(pypdfium2.PdfDocument(book))
        summary.append(f"Hebrew book of {printed_pages} PDF pages: {before:.2f} s -> {after:.2f} s ({after / before:.2f}x), the lower of 3 readings each")
    report = table(
        ["language", "page", "baseline words found", "baseline exact", "this checkout words found", "this checkout exact"], table_rows
    )
    publish("Right-to-left PDF text against Chromium", __file__, argv, "\n".join(summary), report, record=arguments.record)


if __name__ == "__main__":
    main()
