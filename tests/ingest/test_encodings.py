"""Which encoding a file or a page is read in (``sources.ingest.encoding``): a byte order
mark first, then what was declared (as browsers read the labels), then UTF-8 for bytes that
are UTF-8 but for a few places, then a guess that prefers windows-1252; never a 500."""

from __future__ import annotations

import io
from http.server import BaseHTTPRequestHandler

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from sources.ingest import ExtractionError, encoding, extract, text
from sources.ingest.detect import HTML, MARKDOWN, PDF, PLAIN, detect_media_type
from tests.support import local_server

CAFE = "Café naïve, déjà vu à Noël."
QUOTED = "He said “no deal” — twice."
FILLER = " These are the words of an article, long enough to be the main text of its page."


def page(words: str, head: str = "") -> str:
    return f"<html><head>{head}</head><body><article><p>{words}{FILLER}</p></article></body></html>"


def read(data: bytes, media_type: str, **kwargs) -> str:
    names = {HTML: "page.html", PLAIN: "notes.txt", MARKDOWN: "notes.md"}
    return extract(io.BytesIO(data), declared_type=media_type, filename=names[media_type], **kwargs).text


def as_document(words: str, media_type: str) -> str:
    return page(words) if media_type == HTML else words


KINDS = pytest.mark.parametrize("media_type", [HTML, PLAIN, MARKDOWN])


@pytest.mark.parametrize("label", ["idna", "punycode", "undefined", "base64", "hex", "rot13", "zlib", "bz2", "nonsense"])
@KINDS
def test_a_charset_that_names_no_text_encoding_is_no_declaration(label, media_type):
    data = as_document(CAFE, media_type).encode("latin-1")
    assert CAFE in read(data, media_type, charset=label)


@pytest.mark.parametrize("label", ["idna", "punycode", "undefined", "base64", "hex", "rot13", "zlib", "utf-8-sig", "latin-1", "replacement", "x-user-defined", "\u212aoi8-r"])
def test_only_the_encoding_standards_labels_name_an_encoding(label):
    assert encoding.for_label(label) is None


@pytest.mark.parametrize(
    "label, name",
    [(" Latin1 ", "windows-1252"), ("ISO-8859-1", "windows-1252"), ("iso-8859-9", "windows-1254"), ("sjis", "Shift_JIS"), ("utf-16", "UTF-16LE"), ("utf-32be", "UTF-32BE")],
)
def test_a_label_names_the_encoding_browsers_read(label, name):
    assert encoding.for_label(label).name == name


@pytest.mark.parametrize(
    "mark, codec, label",
    [
        (b"\xef\xbb\xbf", "utf-8", "iso-8859-1"),
        (b"\xff\xfe", "utf-16-le", "utf-8"),
        (b"\xfe\xff", "utf-16-be", "windows-1252"),
        (b"\xff\xfe\x00\x00", "utf-32-le", "utf-8"),
    ],
    ids=["utf-8-declared-latin-1", "utf-16le-declared-utf-8", "utf-16be-declared-windows-1252", "utf-32le-declared-utf-8"],
)
@KINDS
def test_a_byte_order_mark_wins_over_the_declared_charset(mark, codec, label, media_type):
    data = mark + as_document(CAFE, media_type).encode(codec)
    assert CAFE in read(data, media_type, charset=label)


@pytest.mark.parametrize("label", ["iso-8859-1", "ISO-8859-1", "latin1", "us-ascii", "ascii", "l1", "iso_8859-1:1987", "windows-1252"])
@KINDS
def test_latin1_and_ascii_labels_are_read_as_windows_1252_as_browsers_read_them(label, media_type):
    data = as_document(QUOTED, media_type).encode("cp1252")
    assert QUOTED in read(data, media_type, charset=label)


def test_windows_1252_reads_its_undefined_bytes_as_the_standard_does():
    assert encoding.for_label("windows-1252").decode(b"\x80\x81\x8d\x9d\x9f") == "€\x81\x8d\x9dŸ"


@KINDS
def test_utf8_with_an_invalid_sequence_stays_utf8_with_a_replacement_character(media_type):
    data = as_document(CAFE + " \udcff Größe.", media_type).encode("utf-8", "surrogateescape").replace(b"\xff", b"\xed\xa0\x80")
    assert CAFE + " \ufffd\ufffd\ufffd Größe." in read(data, media_type)


@KINDS
def test_utf8_with_a_stray_byte_stays_utf8(media_type):
    data = as_document(CAFE + " Größe.", media_type).encode().replace(b"Gr", b"Gr\xff")
    assert CAFE + " Gr\ufffdöße." in read(data, media_type)


@KINDS
def test_a_declared_utf8_the_bytes_contradict_is_set_aside(media_type):
    data = as_document(CAFE, media_type).encode("latin-1")
    assert CAFE in read(data, media_type, charset="utf-8")


@pytest.mark.parametrize("words", ["déjà vu naïve", CAFE, QUOTED, "Die Straße war schön, und die Bäume grün."])
@KINDS
def test_undeclared_latin_text_is_read_as_windows_1252(words, media_type):
    assert words in read(as_document(words, media_type).encode("cp1252"), media_type)


@pytest.mark.parametrize(
    "words, encoded",
    [
        ("Всё это было давно, и никто уже не помнит, как это было на самом деле.", "cp1251"),
        ("Η γρήγορη καφέ αλεπού πηδάει πάνω από το τεμπέλικο σκυλί.", "cp1253"),
        ("昨日映画館に行って、熊が住んでいる山での生活についてのとても面白い映画を見ました。", "shift_jis"),
        ("昨天我们去看电影，看了一部关于山区生活的非常有趣的电影，那里住着熊。", "gbk"),
    ],
)
def test_undeclared_text_that_is_not_windows_1252_is_guessed(words, encoded):
    assert read(words.encode(encoded), PLAIN) == words


@pytest.mark.parametrize("words", ["été à l'école, déjà ab12", "éééé 68ce éy", "Ça, c'était à Noël."])
def test_short_undeclared_latin_text_is_read_as_windows_1252_where_no_other_reading_is_better(words):
    # The detector ranks a Baltic code page ("déją") or a CJK one ("澭澭 68ce 懅") first on a few
    # accented letters without finding a language in either: windows-1252's reading, letters
    # of Latin scripts, is no worse, and it is what a browser without a hint shows.
    assert read(words.encode("cp1252"), PLAIN) == words


def test_a_large_undeclared_file_is_guessed_from_its_head_and_spooled():
    line = "Le café était déjà fermé; la naïveté du garçon.\r\n"
    data = (line * (text.SPOOLED_FROM // len(line) + 1)).encode("cp1252")
    extracted = read(data, PLAIN)
    assert isinstance(extracted, text.SpooledText)
    assert extracted.read() == line.replace("\r\n", "\n") * (text.SPOOLED_FROM // len(line) + 1)


@pytest.mark.parametrize("label", ["utf-16le", "utf-16be", "utf-16", "UTF-16LE", "utf-32", "utf-32be"])
@KINDS
def test_a_declared_utf16_or_utf32_without_a_byte_order_mark_is_read(label, media_type):
    codec = {"utf-16": "utf-16-le", "utf-32": "utf-32-le"}.get(label.lower(), label.lower())
    assert CAFE in read(as_document(CAFE, media_type).encode(codec), media_type, charset=label)


def test_a_nul_character_of_declared_utf16_text_is_text_for_the_sources_validation_to_refuse():
    assert read("words\x00more".encode("utf-16-le"), PLAIN, charset="utf-16le") == "words\x00more"


@pytest.mark.parametrize("charset", [None, "windows-1252"])
def test_nul_bytes_in_undeclared_or_single_byte_text_are_binary_data(charset):
    with pytest.raises(ExtractionError) as error:
        read(b"abc\x00def \xe9", PLAIN, charset=charset)
    assert error.value.code == "unsupported_type"


def test_text_its_encodings_reader_gives_up_on_is_a_clear_refusal(monkeypatch):
    monkeypatch.setattr(text, "CHUNK", 3)
    data = b"\x9b\x1b\x1bAA$\x1b$\xfe\x1b(\xdc(\xfe\xff\xfe(A\x1b\xda\xfe\xeb\xc2A\xffB\x1b$\xfe(\xd2\xfe\xfe"
    with pytest.raises(ExtractionError) as error:
        read(data, PLAIN, charset="iso-2022-jp")
    assert error.value.code == "undecodable_text"


def test_a_meta_charset_decodes_a_page_sent_without_one():
    words = "昨日映画館に行って、熊が住んでいる山での生活についてのとても面白い映画を見ました。"
    data = page(words, head='<meta http-equiv="Content-Type" content="text/html; charset=Shift_JIS">').encode("shift_jis")
    assert words in read(data, HTML)


def test_the_charset_a_page_is_sent_with_wins_over_its_meta_charset():
    data = page(QUOTED, head='<meta charset="koi8-r">').encode("cp1252")
    assert QUOTED in read(data, HTML, charset="windows-1252")


def test_a_meta_charset_in_a_comment_or_script_is_no_declaration():
    head = '<!-- <meta charset="koi8-r"> --><script>var m = \'<meta charset="koi8-r">\';</script>'
    assert CAFE in read(page(CAFE, head=head).encode("cp1252"), HTML)


@pytest.mark.parametrize(
    "head, declared, filename, expected",
    [
        (b"# Notes\n\nThe header `%PDF-1.7` starts every PDF.\n", "text/markdown", "notes.md", MARKDOWN),
        (b"# Notes\n\nThe header `%PDF-1.7` starts every PDF.\n", "", "notes.md", MARKDOWN),
        (b"<!DOCTYPE html><html><p>Files start with %PDF-1.4</p>", "text/html", "", HTML),
        (b"Notes: %PDF-1.4 is a header.", "text/plain", "notes.txt", PLAIN),
        (b"%PDF-1.7\n...", "text/markdown", "notes.md", PDF),  # at the start: always a PDF
        (b"\r\njunk\r\n%PDF-1.4\n...", "application/pdf", "", PDF),
        (b"\r\njunk\r\n%PDF-1.4\n...", "", "report.pdf", PDF),
        (b"\r\njunk\r\n%PDF-1.4\n...", "application/octet-stream", "download", PDF),
        (b"\r\njunk\r\n%PDF-1.4\n...", "", "", PDF),
        (b"x" * 1024 + b"%PDF-1.4", "", "", PLAIN),  # past the first 1,024 bytes
    ],
)
def test_a_pdf_signature_after_the_start_counts_only_where_nothing_says_otherwise(head, declared, filename, expected):
    assert detect_media_type(head, declared_type=declared, filename=filename) == expected


def test_a_page_that_quotes_a_pdf_header_is_read_as_a_page():
    assert "%PDF-1.4" in read(page("Every PDF file starts with %PDF-1.4 and a line break.").encode(), HTML)


def _words_sent_as(words: str, codec: str) -> type[BaseHTTPRequestHandler]:
    """A server's handler: at ``/<media type>/<charset>``, ``words`` in ``codec``, sent as
    that type with that charset."""

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            _, kind, charset = self.path.split("/")
            body = (page(words) if kind == "html" else words).encode(codec)
            self.send_response(200)
            self.send_header("Content-Type", f"text/{kind}; charset={charset}")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler


_Charsets = _words_sent_as(CAFE, "latin-1")


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["html/idna", "html/punycode", "html/undefined", "plain/base64", "plain/hex", "plain/rot13", "plain/zlib"])
def test_a_page_fetched_with_a_charset_naming_no_text_encoding_is_read(analyst, settings, path):
    settings.SOURCE_FETCH_ALLOW_PRIVATE = True
    client = APIClient()
    client.force_authenticate(analyst)
    with local_server(_Charsets) as base:
        response = client.post("/api/v1/sources/fetch/", {"url": f"{base}/{path}"}, format="json")
    assert response.status_code == 201, response.content[:300]
    assert CAFE in response.json()["text"]


@pytest.mark.parametrize("label", ["iso-8859-1", "windows-1252", "iso-8859-2", "koi8-r", "shift_jis"])
@KINDS
def test_bytes_that_are_utf8_throughout_are_utf8_whatever_legacy_charset_they_were_sent_with(label, media_type):
    # Old servers label every file Latin-1: the author wrote "Café", not "CafÃ©".
    data = as_document(CAFE + " " + QUOTED, media_type).encode("utf-8")
    assert CAFE + " " + QUOTED in read(data, media_type, charset=label)


@KINDS
def test_a_legacy_text_that_is_not_utf8_keeps_its_declared_charset(media_type):
    data = as_document("Žluťoučký kůň úpěl ďábelské ódy.", media_type).encode("iso-8859-2")
    assert "Žluťoučký kůň úpěl ďábelské ódy." in read(data, media_type, charset="iso-8859-2")


ASCII = "Hello there, the words of a note in ASCII."


@pytest.mark.parametrize("label", ["utf-16", "utf-16le", "utf-16be", "unicode", "utf-32", "utf-32le", "utf-32be"])
@pytest.mark.parametrize("words", [ASCII, ASCII + "!", ASCII + "!!", ASCII + "!!!", CAFE, CAFE + "!"], ids=["ascii", "ascii-odd", "ascii-2", "ascii-3", "utf8", "utf8-odd"])
@KINDS
def test_a_declared_utf16_or_utf32_the_bytes_contradict_is_set_aside(label, words, media_type):
    # "Hello there" read as UTF-16 is "效汬\u206f桴...", as UTF-32 a row of U+FFFD: the author
    # wrote "Hello there", and the bytes (no zero byte, a count the units do not divide, a
    # number beyond U+10FFFF) say so.
    data = as_document(words, media_type).encode("utf-8")
    assert words in read(data, media_type, charset=label)


@pytest.mark.parametrize("label", ["utf-16", "utf-32"])
def test_legacy_bytes_of_a_count_utf16_or_utf32_cannot_have_are_read_by_the_other_rules(label):
    data = (CAFE + "!" * (3 - len(CAFE) % 4)).encode("cp1252")
    assert len(data) % 2
    assert read(data, PLAIN, charset=label) == data.decode("cp1252")


def _even_document(words: str, media_type: str, codec: str) -> tuple[str, bytes]:
    """``words`` (an "!" added if need be) and their document in ``codec``, of an even
    number of bytes."""
    if len(as_document(words, media_type).encode(codec)) % 2:
        words += "!"
    return words, as_document(words, media_type).encode(codec)


@pytest.mark.parametrize("label", ["utf-16", "utf-16le", "utf-16be", "unicode"])
@pytest.mark.parametrize(
    "words, codec",
    [(CAFE, "cp1252"), (QUOTED, "cp1252"), (CAFE, "latin-1"), ("Grüße aus Köln, schön wär's.", "latin-1")],
    ids=["windows-1252", "windows-1252-quotes", "latin-1", "latin-1-german"],
)
@KINDS
def test_legacy_bytes_of_an_even_count_declared_utf16_are_read_by_the_other_rules(label, words, codec, media_type):
    # "Café" read as UTF-16 is "慃\ue966": the author wrote "Café", and the bytes (no zero
    # byte, ASCII for the most part, spaces between words) say so.
    words, data = _even_document(words, media_type, codec)
    assert not len(data) % 2
    assert words in read(data, media_type, charset=label)


@pytest.mark.parametrize(
    "words, label",
    [("éééé ab12 é ", "utf-16be"), ("éééé ab12 é ", "utf-16le"), ("été à l'école, déjà ab12", "utf-16"), ("été à l'école, déjà ab12", "utf-16le")],
)
def test_legacy_bytes_whose_utf16_reading_is_private_use_or_unassigned_are_read_by_the_other_rules(words, label):
    # "éééé" read as UTF-16 is U+E9E9 twice: characters of no script, which no author's text
    # is made of. The declaration is contradicted and set aside.
    data = words.encode("cp1252")
    assert not len(data) % 2
    assert read(data, PLAIN, charset=label) == words


def test_utf16_text_with_its_characters_assigned_keeps_its_declaration():
    words = "Ἀθῆναι — 東京 — Привет"
    assert read(words.encode("utf-16-be"), PLAIN, charset="utf-16be") == words


@pytest.mark.parametrize(
    "words, codec",
    [
        ("Привет", "utf-16-le"),  # no zero byte, but 0x04 is no text's
        ("Здравствуйте", "utf-16-be"),
        ("中文文字を書く", "utf-16-le"),  # no zero byte, and not UTF-8
        ("你好", "utf-16-le"),  # ASCII bytes throughout ("`O}Y"), but no space: not ASCII text
        ("好好学习", "utf-16-le"),
        ("日本語の文章です", "utf-16-be"),
        ("Hello there", "utf-16-le"),
        ("Hello there", "utf-32-le"),
        ("Ünïcödé ☃ 𝄞", "utf-16-be"),
        ("Ünïcödé ☃ 𝄞", "utf-32-be"),
        ("张国家的书", "utf-16-le"),  # a space's byte in 张 (20 5F), but not ASCII for the most part
    ],
)
def test_utf16_or_utf32_text_the_bytes_do_not_contradict_keeps_its_declaration(words, codec):
    label = codec.replace("-le", "le").replace("-be", "be")
    assert read(words.encode(codec), PLAIN, charset=label) == words


@pytest.mark.parametrize(
    "data",
    [
        b"\xff\xfe\x00\x00" + b"\x00\x00\x11\x00" * 12,  # UTF-32 marked, every unit beyond U+10FFFF
        b"\xff\xfe" + b"\x00\xd8" * 12,  # UTF-16 marked, every unit a lone surrogate
        b"\xef\xbb\xbf" + b"\xc0\xaf" * 12 + b"ok",  # UTF-8 marked, overlong sequences
    ],
    ids=["utf-32", "utf-16", "utf-8"],
)
@KINDS
def test_a_text_read_as_mostly_replacement_characters_is_refused_not_stored(data, media_type):
    with pytest.raises(ExtractionError) as error:
        read(data, media_type)
    assert error.value.code == "undecodable_text"
    assert "U+FFFD" in str(error.value)


def test_a_text_with_a_few_replacement_characters_is_kept():
    assert read(b"\xef\xbb\xbfab\xffcd\xff", PLAIN) == "ab\ufffdcd\ufffd"


_Ascii = _words_sent_as(ASCII, "ascii")


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["html/utf-16", "html/utf-32", "plain/utf-16", "plain/utf-16be", "plain/utf-32"])
def test_ascii_fetched_as_utf16_or_utf32_is_stored_as_written(analyst, settings, path):
    settings.SOURCE_FETCH_ALLOW_PRIVATE = True
    client = APIClient()
    client.force_authenticate(analyst)
    with local_server(_Ascii) as base:
        response = client.post("/api/v1/sources/fetch/", {"url": f"{base}/{path}"}, format="json")
    assert response.status_code == 201, response.content[:300]
    assert ASCII in response.json()["text"]


@pytest.mark.django_db
@pytest.mark.parametrize("charset", ["utf-16", "utf-32"])
def test_ascii_uploaded_in_a_part_labelled_utf16_or_utf32_is_stored_as_written(analyst, charset):
    client = APIClient()
    client.force_authenticate(analyst)
    boundary = "XyZb"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n'
        f"Content-Type: text/plain; charset={charset}\r\n\r\n{ASCII}!\r\n--{boundary}--\r\n"
    ).encode()
    response = client.generic("POST", "/api/v1/sources/", body, content_type=f"multipart/form-data; boundary={boundary}")
    assert response.status_code == 201, response.content[:300]
    assert response.json()["text"] == ASCII + "!"


@pytest.mark.django_db
def test_an_upload_of_mostly_replacement_characters_is_a_400(analyst):
    client = APIClient()
    client.force_authenticate(analyst)
    data = b"\xff\xfe\x00\x00" + b"\x00\x00\x11\x00" * 12
    response = client.post("/api/v1/sources/", {"file": SimpleUploadedFile("a.txt", data, "text/plain")}, format="multipart")
    assert response.status_code == 400, response.content[:300]
    assert response.json()["code"] == "undecodable_text"


# ---------------------------------------------------------------------------------------------
# The encoding the text was read in, kept with the original (``Extraction.charset``)

RUSSIAN = "Съешь же ещё этих мягких французских булок, да выпей чаю."


def charset_of(data: bytes, media_type: str, **kwargs) -> str:
    names = {HTML: "page.html", PLAIN: "notes.txt", MARKDOWN: "notes.md", PDF: "report.pdf"}
    return extract(io.BytesIO(data), declared_type=media_type, filename=names[media_type], **kwargs).charset


@pytest.mark.parametrize(
    "words, codec, mark, declared, charset",
    [
        (RUSSIAN, "koi8_r", b"", "koi8-r", "koi8-r"),
        (CAFE, "utf-8", b"", None, "utf-8"),
        ("Plain ASCII notes.", "ascii", b"", None, "utf-8"),
        (QUOTED, "cp1252", b"", None, "windows-1252"),
        (QUOTED, "cp1252", b"", "latin1", "windows-1252"),
        (CAFE, "utf-16-le", b"\xff\xfe", "koi8-r", "utf-16le"),
        (CAFE, "utf-16-be", b"", "utf-16be", "utf-16be"),
        ("昨日映画館に行って、熊が住んでいる山での生活についてのとても面白い映画を見ました。", "shift_jis", b"", None, "shift_jis"),
    ],
    ids=["declared", "utf-8", "ascii", "guessed", "label", "byte-order-mark", "utf-16be", "cjk-guessed"],
)
@KINDS
def test_the_encoding_a_text_was_read_in_is_named_as_the_encoding_standard_names_it(words, codec, mark, declared, charset, media_type):
    """Lower case, as a charset parameter is written: every such name is one of its labels."""
    data = mark + as_document(words, media_type).encode(codec)
    assert charset_of(data, media_type, charset=declared) == charset
    assert encoding.for_label(charset).charset == charset


def test_a_page_is_named_the_encoding_it_was_read_in_not_its_wrong_meta():
    data = page(RUSSIAN, head='<meta charset="utf-8">').encode("koi8_r")
    assert RUSSIAN in read(data, HTML, charset="koi8-r")
    assert charset_of(data, HTML, charset="koi8-r") == "koi8-r"
    assert charset_of(page(RUSSIAN, head='<meta charset="koi8-r">').encode("koi8_r"), HTML) == "koi8-r"


def test_a_pdf_has_no_charset():
    from tests.documents import one_column_pdf, report_paragraphs

    assert charset_of(one_column_pdf(report_paragraphs(2)), PDF) == ""


def test_a_large_text_names_its_encoding_too():
    line = "Le café était déjà fermé; la naïveté du garçon.\r\n"
    data = (line * (text.SPOOLED_FROM // len(line) + 1)).encode("cp1252")
    extraction = extract(io.BytesIO(data), declared_type=PLAIN, filename="notes.txt")
    assert isinstance(extraction.text, text.SpooledText) and extraction.charset == "windows-1252"


@pytest.mark.parametrize(
    "charset, words",
    [
        ("utf-16le", "Russia voted six times for the sanctions.\r\n"),
        ("utf-16be", "Russia voted six times for the sanctions.\r\n"),
        ("utf-16le", "Россия шесть раз голосовала за санкции.\n"),
        ("utf-16be", "ロシアは制裁決議に六回賛成した。"),
        ("utf-32le", "Russia voted six times for the sanctions.\n"),
        ("utf-32be", "Россия голосовала за санкции.\n"),
    ],
)
def test_utf16_or_utf32_without_a_byte_order_mark_is_refused_saying_how_to_send_it(charset, words):
    data = (words * 3).encode(charset)
    with pytest.raises(ExtractionError) as refused:
        read(data, PLAIN)
    assert refused.value.code == "unsupported_type"
    assert f"looks like {charset.upper()} text without a byte order mark" in str(refused.value)
    assert f"charset={charset}" in str(refused.value)
    assert read(data, PLAIN, charset=charset).startswith(words.rstrip())


def test_binary_data_with_zero_bytes_is_refused_as_binary():
    with pytest.raises(ExtractionError) as refused:
        read(b"\x89\x00\x01\x02\xff\xfe\x00\x07" * 40, PLAIN)
    assert "holds binary data, not text" in str(refused.value)


ENGLISH = "The committee met on Tuesday to discuss the budget for the next year and agreed on several points. "


@pytest.mark.parametrize(
    "stray, shown",
    [
        (b"\xed\xb3\xbf", "í³¿"),  # an encoded lone surrogate: it had been read as Big5 ("穖燜he")
        (b"\x81", "\x81"),  # it had been read as Shift_JIS ("ゝhe")
        (b"\x8d", "\x8d"),
        (b"\x8f", "\x8f"),
        (b"\x90", "\x90"),
        (b"\x9d", "\x9d"),
    ],
)
@pytest.mark.parametrize("media_type", [PLAIN, MARKDOWN])
def test_english_text_with_one_stray_byte_sequence_is_read_as_windows_1252_losing_no_letter(stray, shown, media_type):
    # Windows-1252's undefined bytes are the C1 controls of their number, as a browser reads them.
    data = ENGLISH.encode() + stray + ENGLISH.encode()
    assert encoding.choose(io.BytesIO(data)) == encoding.WINDOWS_1252
    assert read(data, media_type) == f"{ENGLISH}{shown}{ENGLISH}"


@pytest.mark.parametrize(
    "words, encoded",
    [
        ("Tokyo 昨日映画館に行って,熊が住んでいる山での生活についてのとても面白い映画を見ました in the mountains.", "shift_jis"),
        ("Tokyo 昨日映画館に行って熊を見ました in the mountains.", "gbk"),
    ],
)
def test_undeclared_cjk_among_ascii_words_is_still_guessed(words, encoded):
    # Its characters are many: some take an ASCII letter for their second byte, as they may.
    assert read(words.encode(encoded), PLAIN) == words


@pytest.mark.parametrize(
    "words, encoded",
    [("東京都に住む", "shift_jis"), ("台北市", "big5"), ("台北 Taipei", "big5")],
)
def test_a_short_undeclared_cjk_text_of_few_ascii_letters_keeps_its_encoding(words, encoded):
    """Its characters take an ASCII letter for their second byte as they may ("台" is A5 78,
    an "x"): that is no English text with a stray byte, which holds ASCII words."""
    assert read(words.encode(encoded), PLAIN) == words
