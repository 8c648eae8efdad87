"""A PDF's text is what a viewer shows of its pages: text drawn off the page, or outside its
crop box (the page's own, or one it inherits from the page tree), and text of a layer
(optional content) that is off unless a reader turns it on, are no text of the document as
read. Text that is on the page but not seen, white, clipped or drawn invisible (an OCR layer
over a scan), stays: it is the page's text, and an OCR layer is the only text of a scanned
page. Pages of many objects or many layers are read as fast as before. See
``sources.ingest.pdf._shown`` and ``_without_hidden_layers``."""

from __future__ import annotations

import io

import pytest

from sources.ingest import extract, pdf
from tests.documents import pdf_bytes

SHOWN = (72, 720, "The treaty was signed in 2001.")


def _text(data: bytes) -> str:
    return extract(io.BytesIO(data)).text


def _read(data: bytes) -> str:
    """The text as the child process of ``extract`` reads it, read here (faster)."""
    return pdf.read_pdf(io.BytesIO(data))[0]


@pytest.mark.parametrize("where", [(900, 700), (72, -300), (72, 900), (-400, 700)], ids=["right", "below", "above", "left"])
def test_text_drawn_off_the_page_is_left_out(where):
    assert _text(pdf_bytes([[SHOWN, (*where, "Drawn where no viewer shows it.")]])) == SHOWN[2]


def test_text_outside_the_crop_box_is_left_out():
    data = pdf_bytes([[SHOWN, (72, 60, "Printer's marks outside the crop box.")]], page_entries=b"/CropBox [36 100 576 756]")
    assert _text(data) == SHOWN[2]


def test_text_outside_a_crop_box_the_page_inherits_from_the_page_tree_is_left_out():
    data = pdf_bytes([[SHOWN, (72, 60, "Printer's marks outside the crop box.")]], page_tree_entries=b"/CropBox [36 100 576 756]")
    assert _text(data) == SHOWN[2]


BEYOND_LETTER = [(72, 1100, "A line near the top of a tall page."), (700, 500, "A line right of where Letter ends."), (72, 300, "A line where Letter has one too.")]


def test_a_page_of_a_media_box_larger_than_letter_inherited_from_the_page_tree_is_read_whole():
    # Neither box on the page: PDFium's page size is the inherited one, pypdfium2's
    # get_mediabox fell back to Letter, and the text beyond Letter was dropped.
    data = pdf_bytes([BEYOND_LETTER + [(1300, 500, "Off even this page.")]], media_box=None, page_tree_entries=b"/MediaBox [0 0 1191 1684]")
    assert sorted(_text(data).split("\n\n")) == sorted(line for _, _, line in BEYOND_LETTER)


def test_a_page_of_no_media_box_anywhere_is_read_as_letter():
    data = pdf_bytes([[SHOWN, (700, 500, "Right of Letter.")]], media_box=None)
    assert _text(data) == SHOWN[2]


@pytest.mark.parametrize("rotate", [90, 180, 270])
def test_a_turned_page_of_an_inherited_media_box_keeps_what_is_on_it_and_drops_what_is_off_it(rotate):
    drawn = [(72, 1100, "Top of the tall page, shown turned."), (72, 1086, "Its second line."), (72, 1800, "Off the page.")]
    data = pdf_bytes([drawn], media_box=None, page_tree_entries=b"/MediaBox [0 0 1191 1684]", page_entries=b"/Rotate %d" % rotate)
    assert _text(data) == "Top of the tall page, shown turned.\nIts second line."


def test_text_on_the_page_that_is_white_clipped_or_drawn_invisible_is_kept():
    drawn = (
        b"BT /F1 10 Tf 1 g 72 690 Td (White on white.) Tj ET\n"
        b"q 0 0 10 10 re W n BT /F1 10 Tf 72 660 Td (Clipped away.) Tj ET Q\n"
        b"BT /F1 10 Tf 3 Tr 72 630 Td (An OCR layer, drawn invisible.) Tj ET\n"
    )
    text = _text(pdf_bytes([[SHOWN]], extra_page_content=drawn))
    assert text.replace("\n\n", "\n").split("\n") == [SHOWN[2], "White on white.", "Clipped away.", "An OCR layer, drawn invisible."]


def _layered(content: bytes, groups: int = 1, configuration: bytes = b"/OFF [6 0 R]", pages: int = 1) -> bytes:
    """``pages`` pages drawing ``content``, whose ``/OC /ocN BDC`` name layers 6, 7... (one
    a group, named "Layer N"), under the default configuration ``/D << configuration >>``."""
    names = b" ".join(b"/oc%d %d 0 R" % (number, 6 + number) for number in range(groups))
    first_page = 6 + groups
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R /OCProperties << /OCGs [%s] /D << %s >> >> >>"
        % (b" ".join(b"%d 0 R" % (6 + number) for number in range(groups)), configuration),
        b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(b"%d 0 R" % (first_page + number) for number in range(pages)), pages),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
        b"<< >>",  # unused
    ]
    objects += [b"<< /Type /OCG /Name (Layer %d) >>" % number for number in range(groups)]
    objects += [
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 3 0 R >> /Properties << %s >> >> >>" % names
    ] * pages
    out, offsets = b"%PDF-1.5\n", []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1) + b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    return out + b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)


BODY = b"BT /F1 12 Tf 72 720 Td (The treaty was signed in 2001.) Tj ET\n"
NOTE = b"/OC /oc0 BDC BT /F1 12 Tf 72 690 Td (Draft note: check the date.) Tj ET EMC\n"


def test_text_of_a_layer_off_by_default_is_left_out():
    assert _text(_layered(BODY + NOTE)) == "The treaty was signed in 2001."


@pytest.mark.parametrize("configuration", [b"/ON [6 0 R]", b"", b"/BaseState /OFF /ON [6 0 R]"], ids=["on", "unlisted", "on-over-base-off"])
def test_text_of_a_layer_on_by_default_is_kept(configuration):
    assert _text(_layered(BODY + NOTE, configuration=configuration)).replace("\n\n", "\n") == "The treaty was signed in 2001.\nDraft note: check the date."


def test_text_of_a_layer_off_by_the_configurations_base_state_is_left_out():
    assert _text(_layered(BODY + NOTE, configuration=b"/BaseState /OFF")) == "The treaty was signed in 2001."


def test_an_ocr_layers_invisible_text_in_a_layer_shown_is_kept():
    # A scan's recognised text: drawn invisible, in a layer on by default.
    ocr = b"/OC /oc0 BDC BT /F1 12 Tf 3 Tr 72 690 Td (Recognised text of the scan.) Tj ET EMC\n"
    assert _text(_layered(BODY + ocr, configuration=b"/ON [6 0 R]")).replace("\n\n", "\n") == "The treaty was signed in 2001.\nRecognised text of the scan."


def test_white_and_clipped_text_in_a_layer_shown_is_kept():
    content = BODY + (
        b"/OC /oc0 BDC BT /F1 12 Tf 1 g 72 690 Td (White in a layer.) Tj ET "
        b"q 0 0 10 10 re W n BT /F1 12 Tf 72 660 Td (Clipped in a layer.) Tj ET Q EMC\n"
    )
    text = _text(_layered(content, configuration=b"/ON [6 0 R]"))
    assert text.replace("\n\n", "\n").split("\n") == ["The treaty was signed in 2001.", "White in a layer.", "Clipped in a layer."]


def _fifty_layers(lines_per_layer: int = 4, pages: int = 1) -> bytes:
    """A page (or ``pages``) of 50 layers, every other one off by default, each of a few lines."""
    content = BODY + b"".join(
        b"/OC /oc%d BDC %s EMC\n" % (
            group,
            b" ".join(b"BT /F1 6 Tf %d %d Td (Layer %d line %d.) Tj ET" % (72 + 100 * (group % 5), 680 - 8 * (lines_per_layer * (group // 5) + line), group, line) for line in range(lines_per_layer)),
        )
        for group in range(50)
    )
    return _layered(content, groups=50, configuration=b"/OFF [%s]" % b" ".join(b"%d 0 R" % (6 + group) for group in range(0, 50, 2)), pages=pages)


def test_of_fifty_layers_the_text_of_those_off_by_default_is_left_out():
    text = _read(_fifty_layers())
    for group in range(50):
        assert (f"Layer {group} line 0." in text) == (group % 2 == 1)


CROWDED = BODY + b"".join(b"BT /F1 10 Tf 72 %d Td (Line %d.) Tj ET\n" % (600 - 14 * line, line) for line in range(10)) + NOTE


def test_the_layers_of_a_crowded_page_are_looked_at_while_the_documents_allowance_lasts(monkeypatch):
    """A page of more than ``PICTURES_COUNTED_UP_TO`` objects had its layers' text kept
    whatever the layers: now it is looked through while ``CROWDED_OBJECTS_LOOKED_AT`` last."""
    monkeypatch.setattr(pdf, "PICTURES_COUNTED_UP_TO", 5)
    monkeypatch.setattr(pdf, "CROWDED_OBJECTS_LOOKED_AT", 12)  # the page's 12 objects
    text = _read(_layered(CROWDED))
    assert "Draft note" not in text and "Line 9." in text


def test_past_the_documents_allowance_a_crowded_page_is_not_looked_at_object_by_object(monkeypatch):
    """As its pictures are not counted: past the allowance, a crowded page is read as it
    was, its layers' text kept (each of its objects would be a call)."""
    monkeypatch.setattr(pdf, "PICTURES_COUNTED_UP_TO", 5)
    monkeypatch.setattr(pdf, "CROWDED_OBJECTS_LOOKED_AT", 11)
    calls = []
    get_object = pdf.pdfium_raw.FPDFPage_GetObject
    monkeypatch.setattr(pdf.pdfium_raw, "FPDFPage_GetObject", lambda *args: calls.append(args) or get_object(*args))
    assert "Draft note" in _read(_layered(CROWDED))
    assert calls == []


def test_the_layers_of_a_page_are_tried_in_one_drawing_of_it(monkeypatch):
    tried = []
    shown_layers = pdf._shown_layers
    monkeypatch.setattr(pdf, "_shown_layers", lambda page, layers, shown: tried.append(len(layers)) or shown_layers(page, layers, shown))
    _read(_fifty_layers())
    assert tried == [50]


def test_layers_past_those_one_drawing_tries_are_tried_in_the_next(monkeypatch):
    """Past a page's first ``LAYERS_TRIED`` layers, their text had been kept whatever the
    layer: the others are tried in further drawings of the page."""
    monkeypatch.setattr(pdf, "LAYERS_TRIED", 10)
    tried = []
    shown_layers = pdf._shown_layers
    monkeypatch.setattr(pdf, "_shown_layers", lambda page, layers, shown: tried.append(len(layers)) or shown_layers(page, layers, shown))
    text = _read(_fifty_layers())
    for group in range(50):
        assert (f"Layer {group} line 0." in text) == (group % 2 == 1)
    # Ten layers a drawing, and a square more for all those left (not all shown here).
    assert tried == [11, 11, 11, 11, 10]


def _one_layer_marked_anew(pages: int, configuration: bytes) -> bytes:
    """``pages`` pages, each drawing 150 words each in a mark of its own of the one layer
    6 (``/OC /oc0 BDC ... EMC`` 150 times): 150 marks, to PDFium's interface 150 layers."""
    words = b"".join(
        b"/OC /oc0 BDC BT /F1 6 Tf %d %d Td (w%d) Tj ET EMC\n" % (72 + 30 * (word % 15), 680 - 8 * (word // 15), word) for word in range(150)
    )
    return _layered(BODY + words, configuration=configuration, pages=pages)


@pytest.mark.parametrize("configuration", [b"/ON [6 0 R]", b"/OFF [6 0 R]"], ids=["shown", "hidden"])
def test_a_layer_marked_anew_around_each_object_costs_no_more_drawings_than_it_had(monkeypatch, configuration):
    """Each of the 150 marks of one layer was a layer to try: two drawings a page (100
    layers a drawing), ten for 999 marks, and a 160 KB file of 600 such pages passed the
    time a PDF is given. A layer shown is tried in the one drawing: a square marked with
    every mark left is drawn only if all their layers are shown."""
    tried = []
    shown_layers = pdf._shown_layers
    monkeypatch.setattr(pdf, "_shown_layers", lambda page, layers, shown: tried.append(len(layers)) or shown_layers(page, layers, shown))
    text = _read(_one_layer_marked_anew(3, configuration))
    if configuration == b"/ON [6 0 R]":
        assert tried == [pdf.LAYERS_TRIED + 1] * 3
        assert all(text.split().count(f"w{word}") == 3 for word in (50, 99, 100, 120))  # tried one by one, and all together
    else:
        # Hidden: the square of all the marks left is not drawn, and the 50 left are tried.
        assert tried == [pdf.LAYERS_TRIED + 1, 50] * 3
        assert text == "\n\n".join(["The treaty was signed in 2001."] * 3)


def test_drawings_of_a_page_past_its_first_are_bounded_for_the_document(monkeypatch):
    """Past ``FURTHER_DRAWINGS`` in the document, a page is drawn once, as it had been: its
    first ``LAYERS_TRIED`` layers tried, the text of the others kept."""
    monkeypatch.setattr(pdf, "LAYERS_TRIED", 10)
    monkeypatch.setattr(pdf, "FURTHER_DRAWINGS", 4)
    tried = []
    shown_layers = pdf._shown_layers
    monkeypatch.setattr(pdf, "_shown_layers", lambda page, layers, shown: tried.append(len(layers)) or shown_layers(page, layers, shown))
    text = _read(_fifty_layers(pages=2))
    assert tried == [11, 11, 11, 11, 10, 11]  # the first page's five drawings, the second page's one
    assert text.count("Layer 0 line 0.") == 0 and text.count("Layer 1 line 0.") == 2
    assert text.count("Layer 12 line 0.") == 1 and text.count("Layer 13 line 0.") == 2


@pytest.mark.parametrize("rotate", [90, 180, 270])
def test_the_layers_of_a_turned_page_are_told_apart(rotate):
    data = _fifty_layers().replace(b"/MediaBox [0 0 612 792]", b"/MediaBox [0 0 612 792] /Rotate %d" % rotate)
    text = _read(data)
    for group in range(50):
        assert (f"Layer {group} line 0." in text) == (group % 2 == 1)


@pytest.mark.parametrize("x", [300, 520], ids=["middle-inside", "middle-outside"])
def test_a_line_running_off_the_crop_box_is_kept_with_the_part_a_viewer_shows(x):
    # The line starts inside the crop box and runs past its right edge, the middle of its
    # run inside or outside the box: what a viewer shows of it is read.
    line = (x, 700, "Starts inside the crop box and runs far beyond its right edge into the margin area")
    data = pdf_bytes([[SHOWN, line]], page_entries=b"/CropBox [36 100 576 756]")
    assert _read(data) == f"{SHOWN[2]}\n\n{line[2]}"


# ---------------------------------------------------------------------------------------------
# Layers inside forms (form XObjects): a form's content carries its own marks.


def _with_forms(content: bytes | list[bytes], forms: dict[str, bytes], *, off: bytes = b"6 0 R", ocmd: bool | bytes = False) -> bytes:
    """A page drawing ``content`` (or a page for each content of a list), with the form
    XObjects ``forms`` (name: content, each may draw the others); ``/oc0`` is layer 6,
    ``/oc1`` layer 7, under ``/D << /OFF [off] >>``. With ``ocmd``, ``/oc0`` is a membership
    dictionary (OCMD) over layer 6, not the layer (``/P /AllOn``, or the entries ``ocmd``
    gives)."""
    contents = content if isinstance(content, list) else [content]
    names = list(forms)
    first_form = 9
    first_page = first_form + len(names)
    properties = b"/oc0 %d 0 R /oc1 7 0 R" % (8 if ocmd else 6)
    xobjects = b" ".join(b"/%s %d 0 R" % (name.encode(), first_form + number) for number, name in enumerate(names))
    resources = b"<< /Font << /F1 3 0 R >> /Properties << %s >> /XObject << %s >> >>" % (properties, xobjects)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R /OCProperties << /OCGs [6 0 R 7 0 R] /D << /OFF [%s] >> >> >>" % off,
        b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(b"%d 0 R" % (first_page + 2 * number) for number in range(len(contents))), len(contents)),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< >>",  # unused
        b"<< >>",  # unused
        b"<< /Type /OCG /Name (Draft notes) >>",
        b"<< /Type /OCG /Name (Body) >>",
        b"<< /Type /OCMD %s >>" % (ocmd if isinstance(ocmd, bytes) else b"/OCGs [6 0 R] /P /AllOn"),
    ]
    objects += [
        b"<< /Type /XObject /Subtype /Form /BBox [0 0 612 792] /Resources %s /Length %d >>\nstream\n%s\nendstream"
        % (resources, len(forms[name]), forms[name])
        for name in names
    ]
    for number, drawn in enumerate(contents):
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents %d 0 R /Resources %s >>" % (first_page + 2 * number + 1, resources))
        objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(drawn), drawn))
    out, offsets = b"%PDF-1.5\n", []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1) + b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    return out + b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)


HIDDEN_IN_FORM = b"/OC /oc0 BDC BT /F1 12 Tf 72 690 Td (Draft note: check the date.) Tj ET EMC "
SHOWN_IN_FORM = b"BT /F1 12 Tf 72 660 Td (A line of the form.) Tj ET"


def _lines(data: bytes) -> list[str]:
    return _text(data).replace("\n\n", "\n").split("\n")


@pytest.mark.parametrize("ocmd", [False, True], ids=["layer", "membership"])
def test_text_of_a_layer_off_by_default_inside_a_form_is_left_out(ocmd):
    """Its text had been kept: the page's objects were looked at, not those inside its
    forms, whose marks are the form's own."""
    data = _with_forms(BODY + b"/Fm0 Do\n", {"Fm0": HIDDEN_IN_FORM + SHOWN_IN_FORM}, ocmd=ocmd)
    assert _lines(data) == ["The treaty was signed in 2001.", "A line of the form."]


@pytest.mark.parametrize(
    ("membership", "kept"),
    [
        (b"/OCGs [6 0 R 7 0 R] /P /AnyOn", True),
        (b"/OCGs [6 0 R] /P /AllOff", True),
        (b"/VE [/Not 6 0 R]", True),
        (b"/OCGs [7 0 R] /P /AnyOff", False),
    ],
    ids=["any-on-of-hidden-and-shown", "all-off-of-hidden", "not-hidden", "any-off-of-shown"],
)
def test_a_membership_dictionary_inside_a_form_shows_its_text_as_a_viewer_does(membership, kept):
    """A membership dictionary (OCMD) over a hidden layer (6) can show its text: only what
    a viewer hides is left out."""
    data = _with_forms(BODY + b"/Fm0 Do\n", {"Fm0": HIDDEN_IN_FORM + SHOWN_IN_FORM}, ocmd=membership)
    note = ["Draft note: check the date."] if kept else []
    assert _lines(data) == ["The treaty was signed in 2001.", *note, "A line of the form."]


def test_text_of_a_layer_on_by_default_inside_a_form_is_kept():
    data = _with_forms(BODY + b"/Fm0 Do\n", {"Fm0": HIDDEN_IN_FORM + SHOWN_IN_FORM}, off=b"")
    assert _lines(data) == ["The treaty was signed in 2001.", "Draft note: check the date.", "A line of the form."]


def test_text_of_a_layer_off_by_default_in_a_form_inside_a_form_is_left_out():
    data = _with_forms(BODY + b"/Fm0 Do\n", {"Fm0": b"/Fm1 Do", "Fm1": b"/Fm2 Do", "Fm2": HIDDEN_IN_FORM + SHOWN_IN_FORM})
    assert _lines(data) == ["The treaty was signed in 2001.", "A line of the form."]


def test_a_form_in_a_layer_shown_is_looked_inside():
    data = _with_forms(BODY + b"/OC /oc1 BDC /Fm0 Do EMC\n", {"Fm0": HIDDEN_IN_FORM + SHOWN_IN_FORM})
    assert _lines(data) == ["The treaty was signed in 2001.", "A line of the form."]


@pytest.mark.parametrize("depth", ["on the page", "inside a form"])
def test_a_form_drawn_twice_once_in_a_layer_hidden_keeps_its_text_once(depth):
    """Inside a form, the hidden drawing of the form is taken out of its holder and the
    other kept. On the page, the hidden drawing is one of the page's own objects, as it was
    taken off before layers inside forms were looked at: that case guards it."""
    twice = b"/OC /oc0 BDC /Fm1 Do EMC q 1 0 0 1 0 -100 cm /Fm1 Do Q\n"
    drawn = {"Fm1": b"BT /F1 12 Tf 72 690 Td (A form drawn twice.) Tj ET"}
    data = _with_forms(BODY + twice, drawn) if depth == "on the page" else _with_forms(BODY + b"/Fm0 Do\n", {"Fm0": twice, **drawn})
    assert _lines(data) == ["The treaty was signed in 2001.", "A form drawn twice."]


def test_a_form_drawn_twice_with_a_layer_hidden_inside_it_loses_that_text_both_times():
    data = _with_forms(BODY + b"/Fm0 Do q 1 0 0 1 0 -200 cm /Fm0 Do Q\n", {"Fm0": HIDDEN_IN_FORM + SHOWN_IN_FORM})
    assert _lines(data) == ["The treaty was signed in 2001.", "A line of the form.", "A line of the form."]


def test_the_objects_looked_at_inside_forms_are_bounded(monkeypatch):
    """A form drawn a thousand times, a thousand objects each, would be a million calls:
    past ``FORM_OBJECTS_LOOKED_AT``, the forms not yet looked inside keep their text."""
    monkeypatch.setattr(pdf, "FORM_OBJECTS_LOOKED_AT", 3)
    data = _with_forms(BODY + b"/Fm0 Do\n", {"Fm0": b"/Fm1 Do " + HIDDEN_IN_FORM, "Fm1": HIDDEN_IN_FORM + SHOWN_IN_FORM})
    # Fm0's two objects are looked at, Fm1's two more would pass the bound.
    assert _read(data).replace("\n\n", "\n").split("\n") == ["The treaty was signed in 2001.", "Draft note: check the date.", "A line of the form."]


def test_the_objects_looked_at_inside_forms_are_bounded_for_the_whole_document(monkeypatch):
    """The bound is the document's, not a page's: thousands of pages each drawing forms of
    thousands of objects would otherwise pass the time a PDF is given."""
    monkeypatch.setattr(pdf, "FORM_OBJECTS_LOOKED_AT", 2)  # the first page's form: two objects
    pages = [b"BT /F1 12 Tf 72 720 Td (Page %d of the treaty.) Tj ET q 1 0 0 1 0 -%d cm /Fm0 Do Q\n" % (number, 40 * number) for number in (1, 2)]
    text = _read(_with_forms(pages, {"Fm0": HIDDEN_IN_FORM + SHOWN_IN_FORM}))
    assert text.count("Draft note") == 1 and text.index("Page 2") < text.index("Draft note")
