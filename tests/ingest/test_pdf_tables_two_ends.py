"""Lines with text at both ends outside any table (a flex row's items: a menu's dish and
its price, a contents page's title and page) are no table: a browser copies each item on
a line of its own, and they are read as without tables. Rows ending at different widths
had been read with phantom empty columns ("Introduction\\t\\t\\t1"), and a heading centred
between them pulled into the first row ("Soupe à l'oignon\\tPlats du jour\\t6.30 €")."""

from __future__ import annotations

import io

from sources.ingest import pdf
from tests.ingest.test_pdf_tables import _printed as printed, needs_chromium


def _printed(body: str) -> tuple[bytes, str]:
    """``body`` printed by Chromium in standards mode, as pages declaring ``<!doctype html>``
    are, and what it shows of it."""
    return printed(body, standards=True)


def _readings(data: bytes) -> tuple[str, str]:
    """The page read with tables and without."""
    return pdf.read_pdf(io.BytesIO(data), tables=True)[0], pdf.read_pdf(io.BytesIO(data), tables=False)[0]


def _two_ends(left: str, right: str, style: str = "") -> str:
    return f"<div style='display:flex;justify-content:space-between;{style}'><span>{left}</span><span>{right}</span></div>"


@needs_chromium
def test_contents_rows_ending_at_different_widths_are_read_as_without_tables():
    entries = [
        ("Introduction", "1", 500),
        ("2. Methods and data", "12", 400),
        ("Results", "86", 500),
        ("4. Discussion of the findings", "148", 400),
        ("Références", "226", 300),
        ("6. Appendix tables", "230", 500),
        ("Index", "241", 300),
        ("8. Acknowledgements", "250", 400),
    ]
    data, shown = _printed("<h1>Contents</h1>" + "".join(_two_ends(title, page, f"width:{width}px") for title, page, width in entries))
    with_tables, without = _readings(data)
    assert "\t" not in with_tables
    assert with_tables == without
    assert sorted(line for line in with_tables.split("\n") if line) == sorted(line for line in shown.split("\n") if line)


@needs_chromium
def test_a_heading_centred_between_a_menu_s_rows_is_not_pulled_into_a_row():
    body = (
        "<style>body{font-size:9px}</style>"
        + _two_ends("Soupe à l'oignon", "6.30 €")
        + "<h3 style='text-align:center'>Plats du jour</h3>"
        + _two_ends("Bœuf bourguignon", "19.28 €")
        + _two_ends("Sole meunière", "17.57 €")
    )
    data, _ = _printed(body)
    with_tables, without = _readings(data)
    assert "\t" not in with_tables
    assert with_tables == without
    assert "Plats du jour" in with_tables.split("\n")


@needs_chromium
def test_a_menu_s_centred_dishes_between_its_rows_are_read_as_without_tables_and_a_table_below_by_rows():
    centred = "<p style='text-align:center;margin:3px'>{}<br><small>{}</small> — {}</p>"
    body = (
        "<style>body{font-family:'Liberation Serif';font-size:9px;margin:10px}"
        "table{border-collapse:collapse;margin-top:40px}td{border:1px solid #333;padding:2px 6px;vertical-align:top}td.n{text-align:right}</style>"
        "<h1 style='text-align:center'>Menu</h1>"
        + centred.format("Crédito período société", "Liability Ærø été asset and Øresund cost.", "6.46 €")
        + _two_ends("Price über château", "13.78 €")
        + centred.format("Déficit income año déficit equity", "Łódź market Señor München.", "16.12 €")
        + centred.format("Asset data", "Información Øresund cost résumé.", "39.07 €")
        + _two_ends("Region growth café", "32.56 €")
        + _two_ends("Service total quarter été", "6.30 €")
        + "<h3 style='text-align:center'>Málaga Straße</h3>"
        + _two_ends("Equity société número", "33.01 €")
        + _two_ends("Société and cash información operating", "19.28 €")
        + centred.format("Über segment to total", "Total résumé the naïve data Kraków account.", "31.76 €")
        + _two_ends("Château analysis", "17.57 €")
        + "<h2>Wines by the bottle</h2><p>A glass of each is served at the bar, from five in the evening until closing.</p>"
        "<table><tr><td>Wine</td><td>Region</td><td class=n>Price</td></tr>"
        "<tr><td>Chablis</td><td>Bourgogne, a white wine of the north, dry and mineral, aged in steel</td><td class=n>38.50</td></tr>"
        "<tr><td>Margaux</td><td>Bordeaux</td><td class=n>112.00</td></tr>"
        "<tr><td>Sancerre</td><td>Loire</td><td class=n>41.20</td></tr>"
        "<tr><td>Gigondas</td><td>Rhône</td><td class=n>46.75</td></tr></table>"
    )
    data, _ = _printed(body)
    with_tables, without = _readings(data)
    menu = with_tables.split("Wines by the bottle")[0]
    assert "\t" not in menu
    assert menu == without.split("Wines by the bottle")[0]
    lines = with_tables.split("\n")
    assert "Margaux\tBordeaux\t112.00" in lines
    assert "Gigondas\tRhône\t46.75" in lines


@needs_chromium
def test_dated_entries_with_a_paragraph_below_each_title_are_read_as_without_tables():
    entries = [
        ("Málaga łódź total", "6/2003", "Market Zürich segment liability Zürich Straße to cash château Straße."),
        ("Straße service of", "Davis", "Château to balance price region cost cost team balance;"),
        ("Growth", "Linz", "Façade cost team service in Señor año année société."),
        ("Asset", "1/2017", "Asset Kraków Straße quarter cost asset naïve façade account été Señor cost operating façade."),
    ]
    body = "<style>body{font-family:'Liberation Serif';font-size:13px;margin:10px}</style><h2>Société Naïve Café Señor</h2>" + "".join(
        _two_ends(title, value, "width:100%") + f"<p style='margin:2px 0 8px'>{paragraph}</p>" for title, value, paragraph in entries
    )
    data, _ = _printed(body)
    with_tables, without = _readings(data)
    assert "\t" not in with_tables
    assert with_tables == without

