"""Sources from files: extraction quality, speed, and memory on large uploads.

    .venv/bin/python bench/ingestion.py [--repeat 5] [--record]
    .venv/bin/python bench/ingestion.py --memory-only [--sizes 10 50] [--text-only] [--memory-database-url URL]

1. Quality: sentence precision and recall (``tests/documents.py``) of the text extracted
   from the built news pages (navigation, cookie banner, related links, comments, ads,
   footers) and two-column reports, side by side with a naive extraction (every visible
   text node of the page; PDFium's text in drawing order).
2. Speed: medians of ``sources.ingest.extract`` on a 100-page two-column PDF report, a
   PDF of as many pages as are read (``MAX_PAGES``), a line each, a
   2 MB news page (scripts, styles, hydration data, 3,000 teaser cards around the
   article), a 2 MB page of nothing but paragraphs, and pages of as many paragraphs as a
   page may have elements (``MAX_HTML_ELEMENTS``), short, or long enough to fill the
   largest page read (``MAX_HTML_BYTES``): the worst case, since finding the main content
   costs more than in proportion to the elements, and more with each one's text.
3. Memory: peak RSS of a fresh process that uploads one file through the WSGI handler
   (POST /api/v1/sources/, multipart, the body streamed from disk as a server would, the
   answer's chunks consumed as a server sends them), above the same process before the
   request, for 5 MB and 50 MB files (``--sizes``); and of ``manage.py import_sources`` on the same
   plain-text file. ``--memory-only`` measures this alone, ``--text-only`` its text files alone. A PDF is read in a process of its own (``sources.ingest.pdf``): its
   peak is shown apart, measured by ``/usr/bin/time`` on the same file.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from bench_support import DATA_DIR, PROJECT_DIR, median, publish, table, timed

sys.path.insert(0, str(PROJECT_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")

from tests.documents import (  # noqa: E402
    news_pages,
    one_column_pdf,
    pdf_bytes,
    report_paragraphs,
    sentence_scores,
    two_column_pdf,
)

RUNNING_HEAD = "Example Institute Annual Report 2025"


def naive_html_text(html: bytes) -> str:
    import lxml.html

    tree = lxml.html.fromstring(html)
    for element in tree.xpath("//script|//style"):
        element.drop_tree()
    return tree.text_content()


def naive_pdf_text(data: bytes) -> str:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(data)
    return "\n".join(page.get_textpage().get_text_range() for page in document)


def quality() -> str:
    from sources.ingest import extract

    rows = []
    for page in news_pages():
        data = page.html.encode()
        ours = sentence_scores(extract(io.BytesIO(data), declared_type="text/html").text, page.article, page.boilerplate)
        naive = sentence_scores(naive_html_text(data), page.article, page.boilerplate)
        rows.append([f"HTML: {page.name}", f"{ours[0]:.2f}", f"{ours[1]:.2f}", f"{naive[0]:.2f}", f"{naive[1]:.2f}"])
    paragraphs = report_paragraphs(40)
    for interleaved in (True, False):
        data = two_column_pdf(paragraphs, header=RUNNING_HEAD, page_numbers=True, interleaved=interleaved)
        boilerplate = [RUNNING_HEAD]
        ours = sentence_scores(extract(io.BytesIO(data)).text, paragraphs, boilerplate)
        naive = sentence_scores(naive_pdf_text(data), paragraphs, boilerplate)
        drawn = "drawn row by row" if interleaved else "drawn column by column"
        rows.append([f"PDF: two columns, {drawn}", f"{ours[0]:.2f}", f"{ours[1]:.2f}", f"{naive[0]:.2f}", f"{naive[1]:.2f}"])
    data = one_column_pdf(paragraphs)
    ours = sentence_scores(extract(io.BytesIO(data)).text, paragraphs, [])
    naive = sentence_scores(naive_pdf_text(data), paragraphs, [])
    rows.append(["PDF: one column", f"{ours[0]:.2f}", f"{ours[1]:.2f}", f"{naive[0]:.2f}", f"{naive[1]:.2f}"])
    return table(["document", "precision", "recall", "naive precision", "naive recall"], rows)


def big_news_page() -> bytes:
    page = news_pages()[0]
    hydration = "<script>window.__DATA__=" + json.dumps(
        {"items": [{"id": i, "title": f"Headline number {i} about things", "body": "lorem ipsum " * 20} for i in range(3000)]}
    ) + "</script>"
    style = "<style>" + "".join(f".c{i}{{color:red;margin:{i}px}}" for i in range(20000)) + "</style>"
    cards = "<aside>" + "".join(
        f'<div class="card"><a href="/s/{i}"><img src="/i/{i}.jpg"><span>Story {i} headline text here</span></a></div>'
        for i in range(3000)
    ) + "</aside>"
    html = page.html.replace("</head>", style + hydration + "</head>").replace("</main>", cards + "</main>")
    return html.encode()


def dense_page(size: int) -> bytes:
    """Numbered paragraphs of the seeds' prose (all different: repeats would be dropped as
    boilerplate) up to ``size`` bytes."""
    paragraphs, total, number = [], 0, 0
    prose = report_paragraphs(200)
    while total < size:
        paragraph = f"<p>{number}. {prose[number % len(prose)]}</p>\n".encode()
        paragraphs.append(paragraph)
        total += len(paragraph)
        number += 1
    return b"<html><body><article>" + b"".join(paragraphs) + b"</article></body></html>"


def element_page(size: int | None = None) -> bytes:
    """Numbered paragraphs (all different), as many as a page read may have elements: short
    ones, or ones long enough to fill ``size`` bytes (the cost grows with both)."""
    from sources.ingest.html import MAX_HTML_BYTES, MAX_HTML_ELEMENTS

    count = MAX_HTML_ELEMENTS - 3  # with html, head and body
    prose = " ".join(report_paragraphs(200))
    length = (min(size, MAX_HTML_BYTES) - 100) // count - 20 if size else None

    def paragraph(number: int) -> str:
        if length is None:
            return " ".join(prose.split()[number % 500:][:6])
        start = (number * 37) % (len(prose) - length)
        return prose[start : start + length]

    paragraphs = (f"<p>{number}. {paragraph(number)}</p>".encode() for number in range(count))
    return b"<html><head></head><body>" + b"".join(paragraphs) + b"</body></html>"


def hundred_page_report() -> bytes:
    """Numbered paragraphs of the seeds' prose in two columns, as many as fill 100 pages."""
    prose = report_paragraphs(200)
    count = 100
    while True:
        paragraphs = [f"{number}. {prose[number % len(prose)]}" for number in range(count)]
        data = two_column_pdf(paragraphs, header=RUNNING_HEAD, page_numbers=True)
        if len(re.findall(rb"/Type /Page\b", data)) >= 100:
            return data
        count += 20


def longest_pdf() -> bytes:
    """As many pages as a PDF may have (``MAX_PAGES``), a numbered line of prose on each."""
    from sources.ingest.pdf import MAX_PAGES

    prose = report_paragraphs(40)
    return pdf_bytes([[(72, 700, f"{number}. {prose[number % len(prose)][:80]}")] for number in range(MAX_PAGES)])


def speed(repeat: int) -> str:
    from sources.ingest import extract

    cases = [
        ("PDF report, two columns", hundred_page_report(), {}),
        ("PDF of 5,000 pages, a line each", longest_pdf(), {}),
        ("HTML news page, scripts and teasers", big_news_page(), {"declared_type": "text/html"}),
        ("HTML of paragraphs only", dense_page(2 * 2**20), {"declared_type": "text/html"}),
        ("HTML of short paragraphs, as many elements as are read", element_page(), {"declared_type": "text/html"}),
        ("HTML of long paragraphs, as many elements and bytes as are read (worst case)", element_page(10 * 2**20), {"declared_type": "text/html"}),
    ]
    rows = []
    for name, data, kwargs in cases:
        pages = len(re.findall(rb"/Type /Page\b", data)) if data.startswith(b"%PDF") else None
        samples = timed(lambda data=data, kwargs=kwargs: extract(io.BytesIO(data), **kwargs), repeat)
        text = extract(io.BytesIO(data), **kwargs).text
        size = f"{len(data) / 2**20:.2f} MB" + (f", {pages} pages" if pages else "")
        rows.append([name, size, f"{len(text):,}", f"{median(samples) / 1000:.2f} s", f"{max(samples) / 1000:.2f} s"])
    return table(["document", "size", "characters extracted", "median", "slowest"], rows)


# ---------------------------------------------------------------------------------------------
# Memory: one upload per fresh process


# What every measuring child process starts with: Django on the database, originals in a
# folder of their own.
CHILD_SETUP = r'''
import os, sys
sys.path.insert(0, {project!r})
os.environ["DATABASE_URL"] = {database!r}
os.environ["DJANGO_SETTINGS_MODULE"] = "project.settings"
import django
django.setup()
from django.conf import settings
settings.MEDIA_ROOT = {media!r}
settings.MAX_SOURCE_MB = 60
'''

CHILD = CHILD_SETUP + r'''
from django.core.handlers.wsgi import WSGIHandler
from rest_framework.authtoken.models import Token
handler = WSGIHandler()
token = Token.objects.get(user__username="bench").key
from sources.models import Source
last = Source.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
def status(field):
    for line in open("/proc/self/status"):
        if line.startswith(field):
            return int(line.split()[1]) // 1024
def rss():
    return status("VmRSS")
before = rss()
body = open({body!r}, "rb")
environ = {{
    "REQUEST_METHOD": "POST", "PATH_INFO": "/api/v1/sources/", "SERVER_NAME": "testserver",
    "SERVER_PORT": "80", "wsgi.url_scheme": "http", "wsgi.input": body, "wsgi.errors": sys.stderr,
    "CONTENT_TYPE": "multipart/form-data; boundary=BENCHBOUNDARY",
    "CONTENT_LENGTH": str(os.path.getsize({body!r})), "HTTP_AUTHORIZATION": "Token " + token,
    "REMOTE_ADDR": "127.0.0.1", "HTTP_HOST": "testserver",
}}
statuses = []
chunks = handler(environ, lambda status, headers: statuses.append(status))
for chunk in chunks:  # sent as they come, as a server writes them to the socket
    pass
chunks.close()
# VmHWM, not ru_maxrss: the latter carries over the parent's peak through fork and exec.
peak = status("VmHWM")
Source.objects.filter(pk__gt=last).delete()  # a database kept between runs takes the same file again
print(statuses[0].split()[0], before, peak)
'''


COMMAND_CHILD = CHILD_SETUP + r'''
from django.core.management import call_command
from sources.models import Source
def status(field):
    for line in open("/proc/self/status"):
        if line.startswith(field):
            return int(line.split()[1]) // 1024
last = Source.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
before = status("VmRSS")
call_command("import_sources", {path!r}, "--no-progress", stdout=open(os.devnull, "w"))
peak = status("VmHWM")
created = Source.objects.filter(pk__gt=last)
print("201" if created.exists() else "400", before, peak)
created.delete()
'''


def pdf_reader_peak(path: Path) -> int:
    """Peak RSS in MB of the process that reads a PDF for an upload (``sources.ingest.pdf``),
    run alone on ``path`` with the same limits, as ``/usr/bin/time`` reports it."""
    from sources.ingest import pdf

    result = subprocess.run(
        ["/usr/bin/time", "-f", "PEAK %M", sys.executable, "-c", pdf._CHILD, str(path), str(pdf.MEMORY_MB), str(pdf.SECONDS)],
        cwd=PROJECT_DIR, env={**os.environ, "PYTHONPATH": str(PROJECT_DIR)}, capture_output=True, text=True, check=True,
    )
    return int(re.search(r"PEAK (\d+)", result.stderr).group(1)) // 1024


def illustrated_report(megabytes: int, prose: list[str]) -> bytes:
    """``megabytes`` pages, each with a line of text and a 1 MB picture of its own."""
    pages = [[(72, 700, f"Page {number}: {prose[number % len(prose)][:80]}")] for number in range(megabytes)]
    return pdf_bytes(pages, image_bytes=2**20, picture_on_every_page=True)


def _multipart(path: Path, name: str, content_type: str, into: Path) -> None:
    with into.open("wb") as out, path.open("rb") as source:
        out.write(
            b"--BENCHBOUNDARY\r\nContent-Disposition: form-data; name=\"file\"; filename=\"%s\"\r\n"
            b"Content-Type: %s\r\n\r\n" % (name.encode(), content_type.encode())
        )
        shutil.copyfileobj(source, out, 1024 * 1024)
        out.write(b"\r\n--BENCHBOUNDARY--\r\n")


def _template_database(folder: Path) -> Path:
    database = folder / "template.sqlite3"
    environment = {**os.environ, "DATABASE_URL": f"sqlite:///{database}"}
    subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], cwd=PROJECT_DIR, env=environment, check=True)
    script = (
        "import django; django.setup();"
        "from django.contrib.auth.models import User; from rest_framework.authtoken.models import Token;"
        "user = User.objects.create_superuser('bench', password='bench-bench'); Token.objects.create(user=user)"
    )
    subprocess.run([sys.executable, "-c", script], cwd=PROJECT_DIR, env=environment, check=True)
    return database


def _bench_user(database_url: str) -> None:
    """A migrated database at ``database_url`` with the user the uploads are made by."""
    environment = {**os.environ, "DATABASE_URL": database_url}
    subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], cwd=PROJECT_DIR, env=environment, check=True)
    script = (
        "import django; django.setup();"
        "from django.contrib.auth.models import User; from rest_framework.authtoken.models import Token;"
        "user = User.objects.filter(username='bench').first() or User.objects.create_superuser('bench', password='bench-bench');"
        "Token.objects.get_or_create(user=user)"
    )
    subprocess.run([sys.executable, "-c", script], cwd=PROJECT_DIR, env=environment, check=True)


def memory(database_url: str | None = None, sizes=(5, 50), text_only: bool = False) -> str:
    """On a copy of a fresh SQLite database per upload, or on ``database_url`` (migrated
    here; what each upload creates is deleted after it)."""
    DATA_DIR.mkdir(exist_ok=True)
    rows = []
    with tempfile.TemporaryDirectory(dir=DATA_DIR) as scratch:
        folder = Path(scratch)
        template = None if database_url else _template_database(folder)
        if database_url:
            _bench_user(database_url)
        prose = report_paragraphs(200)
        for megabytes in sizes:
            pictures = folder / f"report-{megabytes}.pdf"
            pictures.write_bytes(illustrated_report(megabytes, prose))
            single = folder / f"poster-{megabytes}.pdf"
            single.write_bytes(pdf_bytes([[(72, 700, prose[0][:90])]], image_bytes=megabytes * 2**20))
            text = folder / f"notes-{megabytes}.txt"
            line = ("Plain notes, one line after another, as a transcript would have them. " * 2 + "\n").encode()
            text.write_bytes(line * (megabytes * 2**20 // len(line)))
            markdown = folder / f"minutes-{megabytes}.md"
            line = "## Item\n\nThe *minutes* of the meeting, with [a link](https://example.org/) and `code`.\n\n".encode()
            markdown.write_bytes(line * (megabytes * 2**20 // len(line)))
            accented = folder / f"notes-accented-{megabytes}.txt"
            line = "Café, naïve, Zürich, São Paulo, déjà vu: notes in UTF-8 with accents.\n".encode()
            accented.write_bytes(line * (megabytes * 2**20 // len(line)))
            cases = (
                ("PDF, a 1 MB picture on each page", pictures, "application/pdf", CHILD),
                ("PDF, one page, one picture of the whole size", single, "application/pdf", CHILD),
                ("plain text", text, "text/plain", CHILD),
                ("Markdown", markdown, "text/markdown", CHILD),
                ("plain text, accented (UTF-8)", accented, "text/plain", CHILD),
                ("plain text, by import_sources", text, "text/plain", COMMAND_CHILD),
            )
            for kind, path, media_type, script in cases:
                if text_only and media_type == "application/pdf":
                    continue
                body = folder / "body"
                _multipart(path, path.name, media_type, body)
                database = folder / "run.sqlite3"
                if template is not None:
                    shutil.copy(template, database)
                child = script.format(
                    project=str(PROJECT_DIR), bench=str(PROJECT_DIR / "bench"), database=database_url or f"sqlite:///{database}",
                    media=str(folder / "media"), body=str(body), path=str(path),
                )
                result = subprocess.run([sys.executable, "-c", child], cwd=PROJECT_DIR, capture_output=True, text=True, check=True)
                status, before, peak = result.stdout.split()[-3:]
                reader = f"{pdf_reader_peak(path)} MB" if script is CHILD and media_type == "application/pdf" else ""
                status = {"201": "201 Created", "400": "400"}.get(status, status)
                shutil.rmtree(folder / "media", ignore_errors=True)
                rows.append([kind, f"{path.stat().st_size / 2**20:.0f} MB", status, f"{before} MB", f"{peak} MB",
                             f"{int(peak) - int(before)} MB", reader])
    return table(["file", "size", "answer", "RSS before", "peak RSS", "growth",
                  "PDF reader's own peak (its process)"], rows)


# What SQLite itself costs to store a text of ``megabytes`` MB in a row, in a fresh process:
# the text as the upload hands it (a function of the connection returning its UTF-8), the
# same text written into a TEXT value made beforehand (zeroblob cast, filled by incremental
# blob I/O), and as a BLOB (zeroblob, filled so): the floor under the upload's growth.
SQLITE_FLOOR_CHILD = r'''
import os, sqlite3, sys
megabytes, path, how = int(sys.argv[1]), sys.argv[2], sys.argv[3]
def status(field):
    for line in open("/proc/self/status"):
        if line.startswith(field):
            return int(line.split()[1]) // 1024
connection = sqlite3.connect(path)
connection.execute("PRAGMA journal_mode=WAL")
connection.execute("CREATE TABLE source (id INTEGER PRIMARY KEY, text TEXT NOT NULL)")
connection.commit()
piece = (b"Plain notes, one line after another.\n" * 30000)[: 2**20]
before = status("VmRSS")
if how == "function":
    connection.create_function("long_text", 0, lambda: piece * megabytes, deterministic=True)
    connection.execute("INSERT INTO source (text) VALUES (CAST(long_text() AS TEXT))")
else:
    made = "CAST(zeroblob(?) AS TEXT)" if how == "text-blob-io" else "zeroblob(?)"
    row = connection.execute(f"INSERT INTO source (text) VALUES ({made})", [megabytes * 2**20]).lastrowid
    with connection.blobopen("source", "text", row) as blob:
        for _ in range(megabytes):
            blob.write(piece)
connection.commit()
print(status("VmHWM") - before, connection.execute("SELECT typeof(text) FROM source").fetchone()[0])
'''


def sqlite_floor(sizes) -> str:
    rows = []
    with tempfile.TemporaryDirectory(dir=DATA_DIR) as scratch:
        for megabytes in sizes:
            for how, said in (("function", "TEXT, from a function (as an upload is saved)"),
                              ("text-blob-io", "TEXT, made first, then written by blob I/O"),
                              ("blob-io", "BLOB, zeroblob then blob I/O")):
                path = Path(scratch) / f"{how}-{megabytes}.sqlite3"
                result = subprocess.run([sys.executable, "-c", SQLITE_FLOOR_CHILD, str(megabytes), str(path), how],
                                        capture_output=True, text=True, check=True)
                growth, stored = result.stdout.split()
                rows.append([said, f"{megabytes} MB", stored, f"{growth} MB"])
    return table(["how the row is written", "text", "stored as", "growth of the process"], rows)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--record", action="store_true", help="Append the figures to bench/RESULTS.md.")
    parser.add_argument(
        "--memory-database-url",
        help="Measure the uploads' memory on this database (e.g. PostgreSQL; migrated, and what the uploads "
        "create is deleted) instead of a fresh SQLite file per upload.",
    )
    parser.add_argument("--memory-only", action="store_true", help="Measure the uploads' memory alone.")
    parser.add_argument("--sizes", type=int, nargs="+", default=[5, 50], help="The files' sizes in MB (memory).")
    parser.add_argument("--text-only", action="store_true", help="Of the uploads' memory, the text files' alone.")
    arguments = parser.parse_args(argv)
    import django

    django.setup()
    url = arguments.memory_database_url
    database = "SQLite" if not url else "PostgreSQL" if url.startswith("postgres") else url.split(":", 1)[0]
    parts = [] if arguments.memory_only else [
        "Extraction quality (sentences of the article found, and of the boilerplate kept):\n\n" + quality(),
        f"Extraction time (median of {arguments.repeat}):\n\n" + speed(arguments.repeat),
    ]
    parts.append(
        f"Memory of one upload through the WSGI handler, in a fresh process, on {database}:\n\n"
        + memory(arguments.memory_database_url, sizes=arguments.sizes, text_only=arguments.text_only)
    )
    if database == "SQLite":
        parts.append("SQLite alone storing such a text in a row, in a fresh process:\n\n" + sqlite_floor(arguments.sizes))
    report = "\n\n".join(parts)
    publish("Sources from files: extraction quality, speed, memory", __file__, argv, "", report, record=arguments.record)


if __name__ == "__main__":
    main()
