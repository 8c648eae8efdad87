"""What looking at the layers inside forms costs: a page that draws one form a thousand
times, each drawing holding a hundred marked objects, is a hundred thousand objects for
PDFium's interface (each drawing of a form is its content read anew). They are asked their
questions through declarations that take and give addresses as numbers, with Python's
garbage collector held off while they are looked at. See ``sources.ingest.pdf._native`` and
``_collector_paused``."""

from __future__ import annotations

import gc
import io

from sources.ingest import pdf
from tests.ingest.test_pdf_visibility import BODY, _with_forms

# A form drawn 50 times, each drawing 100 inner forms marked with a layer shown.
MARKED = b"".join(b"/OC /oc1 BDC /Fm1 Do EMC " for _ in range(100))
PAGE = BODY + b"".join(b"q 1 0 0 1 0 %d cm /Fm0 Do Q " % (number % 50) for number in range(50))
DRAWN_MANY_TIMES = _with_forms(PAGE, {"Fm0": MARKED, "Fm1": b"BT /F1 12 Tf 72 600 Td (A line of the inner form.) Tj ET"})


def _read(data: bytes) -> str:
    return pdf.read_pdf(io.BytesIO(data))[0]


def test_looking_at_the_layers_inside_forms_runs_no_garbage_collection(monkeypatch):
    """The collector, run every few hundred of the tuples made for the objects looked at,
    went through all the process holds each time: a fifth of the time of such a page."""
    collections = []
    looking = []

    def counted(phase, info):
        if phase == "start" and looking:
            collections.append(info["generation"])

    without_hidden_layers = pdf._without_hidden_layers

    def watched(*args, **kwargs):
        looking.append(True)
        try:
            return without_hidden_layers(*args, **kwargs)
        finally:
            looking.pop()

    monkeypatch.setattr(pdf, "_without_hidden_layers", watched)
    gc.callbacks.append(counted)
    try:
        text = _read(DRAWN_MANY_TIMES)
    finally:
        gc.callbacks.remove(counted)
    assert len(collections) <= 1  # one may start on entering, before the collector is held off
    assert gc.isenabled()
    assert text.count("A line of the inner form.") == 50 * 100


def test_the_objects_inside_forms_are_asked_through_declarations_taking_addresses(monkeypatch):
    """pypdfium2's declarations make a pointer object of each object given or taken, which
    had cost more than PDFium's answers; none of them is called for an object inside a form."""
    calls = []
    for name in ("FPDFFormObj_GetObject", "FPDFFormObj_CountObjects", "FPDFPageObj_CountMarks", "FPDFPageObj_GetType"):
        function = getattr(pdf.pdfium_raw, name)
        monkeypatch.setattr(pdf.pdfium_raw, name, lambda *args, function=function, name=name: calls.append(name) or function(*args))
    text = _read(DRAWN_MANY_TIMES)
    assert calls == []
    assert text.count("A line of the inner form.") == 50 * 100
