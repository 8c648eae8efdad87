"""A column of prose beside a table is left out of it, though its paragraphs' short last
lines leave too few of its lines filling it: a recipe's numbered steps beside its
ingredients and their quantities (a name and "130 g" set flush right) had been taken in
as a third column, its rows merged ("Health results Net asset\\t130 g 180 g\\t1. Order
..."). Such a page reads as without tables, as a browser copies it, an item a line."""

from __future__ import annotations

import io

from sources.ingest import pdf
from tests.ingest.test_pdf_tables import needs_chromium
from tests.ingest.test_pdf_tables_accents import _printed

RECIPE = (
    "<style>.w{display:flex;gap:40px}.q{display:flex;justify-content:space-between;width:240px}</style>"
    "<h2>{title}</h2><div class=w><div>{ingredients}</div><div><ol>{steps}</ol></div></div>"
)


def _recipe(title: str, ingredients: list[tuple[str, str]], steps: list[str]) -> str:
    return (
        RECIPE.replace("{title}", title)
        .replace("{ingredients}", "".join(f"<div class=q><span>{name}</span><span>{quantity}</span></div>" for name, quantity in ingredients))
        .replace("{steps}", "".join(f"<li>{step}</li>" for step in steps))
    )


def _read_as_without_tables(body: str) -> None:
    data, shown = _printed(body)
    with_tables = pdf.read_pdf(io.BytesIO(data), tables=True)[0]
    assert "\t" not in with_tables
    assert with_tables == pdf.read_pdf(io.BytesIO(data), tables=False)[0]
    # Each of the browser's lines is read whole, none with another's words.
    for line in shown.split("\n"):
        if line.strip():
            assert any(line in read or read in line for read in with_tables.split("\n") if read.strip()), line


@needs_chromium
def test_steps_going_on_below_the_ingredients_are_no_column_of_their_table():
    ingredients = [("Village payment", "320 g"), ("Delivery member", "81 g"), ("Service player", "175 g"), ("Village league", "454 g"), ("Goal lesson", "5 g")]
    steps = [
        "Station season county import value customer asset month sample service customer league year.",
        "Cargo year member export asset budget.",
        "Payment committee price school figure energy share league housing transport import.",
        "Player net loss science city east export water price.",
        "Quarter sample figure figure housing share cash people value port south delivery.",
        "Station west year player sample lesson.",
    ]
    _read_as_without_tables(_recipe("Payment league", ingredients, steps))


@needs_chromium
def test_steps_wrapping_beside_the_ingredients_rows_are_no_column_of_their_table():
    # As many lines of steps as of ingredients: each step's last line stands beside an
    # ingredient of its own, which a table's wrapped cell never does.
    ingredients = [
        ("Loss net", "465 g"),
        ("Account", "186 g"),
        ("Customer", "103 g"),
        ("Energy", "268 g"),
        ("Price total", "321 g"),
        ("Annual budget", "480 g"),
        ("Match", "491 g"),
        ("Year", "490 g"),
        ("Payment", "98 g"),
    ]
    steps = [
        "Market loss service player balance village total station market budget season council.",
        "Council price estimate growth annual match item vessel river rate science policy river value district quality.",
        "Price team results sample balance station river city west teacher revenue.",
        "Housing asset asset people league revenue history port loss harbour month profit order.",
    ]
    _read_as_without_tables(_recipe("Harbour estimate delivery", ingredients, steps))
