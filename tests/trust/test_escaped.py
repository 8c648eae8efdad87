"""``escaped``: what someone else wrote (a receiver's answer, a file's name), shown on one
line of a log or a terminal that it cannot rewrite."""

from __future__ import annotations

import pytest

from project.validation import escaped


@pytest.mark.parametrize("text, shown", [
    ("oops\n2026-12-06 delivered 999\r", "oops\\n2026-12-06 delivered 999\\r"),  # a forged line
    ("\x1b[31m RED \x1b[0m", "\\x1b[31m RED \\x1b[0m"),  # a terminal escape
    ("a\u2028b\u2029c\x85d", "a\\u2028b\\u2029c\\x85d"),  # line breaks to some readers
    ("report\u202etxt.exe", "report\\u202etxt.exe"),  # shown as "reportexe.txt"
    ("caf\udce9.txt", "caf\\xe9.txt"),  # a byte that was not UTF-8 (surrogateescape)
    ("lone \ud800", "lone \\ud800"),
    ("plain café, 事实 \t", "plain café, 事实 \\t"),
])
def test_what_someone_else_wrote_is_shown_on_one_line_escaped(text, shown):
    assert escaped(text) == shown
    assert len(escaped(text).splitlines()) == 1
    escaped(text).encode("utf-8")  # any UTF-8 output takes it
