"""A JSON key given twice in one object is found, whatever the text around it: the rule
(``project.validation.repeated_json_key``) that the importer asks of every line after its
fast parser has kept one value per key."""

from __future__ import annotations

import json

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from project.validation import repeated_json_key


def _first_repeat(text: str) -> str | None:
    # The slow, obvious answer: every object's keys, in order.
    found: list[str] = []

    def pairs(items):
        keys = [key for key, _ in items]
        for index, key in enumerate(keys):
            if key in keys[:index] and not found:
                found.append(key)
        return dict(items)

    json.loads(text, object_pairs_hook=pairs)
    return found[0] if found else None


@pytest.mark.parametrize("text, key", [
    ('{"a": 1, "a": 2}', "a"),
    ('{"a":1,"a":2}', "a"),
    ('{"a" :1,"a"\t:2}', "a"),
    ('{"a"\n:1,\r\n"a"\r:2}', "a"),
    ('{"outer": [{"x": 1}, {"x": 2, "y": {"z": 1, "z": 1}}]}', "z"),
    ('{"text": "He said \\"no\\": twice", "text": "b"}', "text"),
    ('{"a": {"b": 1}, "c": {"b": 2}}', None),
    ('{"text": "He said \\"no\\": twice \\" \\":"}', None),
    ('{"\\u0061": 1, "a": 2}', "a"),
    ('{}', None),
    ('[]', None),
])
def test_a_key_given_twice_in_one_object_is_named(text, key):
    assert repeated_json_key(text.encode(), orjson.loads(text)) == key


_keys = st.sampled_from(["a", "b", "text", 'q"', "c:"])
_scalars = st.one_of(st.none(), st.booleans(), st.integers(-5, 5),
                     st.text(alphabet='ab": \\\n\t', max_size=8))
_spaces = st.sampled_from(["", " ", "\t", "\n", "\r\n", "  "])


@st.composite
def _json_texts(draw, depth: int = 0) -> str:
    """JSON text written by hand, so that an object may give a key twice and whitespace
    may stand anywhere JSON allows it."""
    kind = draw(st.sampled_from(["scalar", "list", "object"] if depth < 3 else ["scalar"]))
    if kind == "scalar":
        return json.dumps(draw(_scalars))
    items = draw(st.lists(st.just(None), max_size=4))
    if kind == "list":
        return "[" + ",".join(draw(_spaces) + draw(_json_texts(depth + 1)) + draw(_spaces) for _ in items) + "]"
    members = [
        json.dumps(draw(_keys)) + draw(_spaces) + ":" + draw(_spaces) + draw(_json_texts(depth + 1))
        for _ in items
    ]
    return "{" + draw(_spaces) + ("," + draw(_spaces)).join(members) + draw(_spaces) + "}"


@given(_json_texts())
def test_the_fast_answer_is_the_slow_one(text):
    assert repeated_json_key(text.encode(), orjson.loads(text)) == _first_repeat(text)
