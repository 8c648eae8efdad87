"""The secret key kept in a file when SECRET_KEY is unset: one key for every worker."""

from __future__ import annotations

import stat
from concurrent.futures import ProcessPoolExecutor

import pytest
from django.core.exceptions import ImproperlyConfigured

from project.settings import secret_key_from_file


def test_secret_key_file_is_written_once_with_mode_0600(tmp_path):
    key_file = tmp_path / ".secret_key"
    key = secret_key_from_file(key_file)
    assert len(key) >= 50
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert secret_key_from_file(key_file) == key
    assert [path.name for path in tmp_path.iterdir()] == [".secret_key"]  # no temporary left


def test_secret_key_that_cannot_be_written_fails_at_start_up(tmp_path):
    # A parent that is a file: no process, root included, can create the key there.
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    with pytest.raises(ImproperlyConfigured, match="cannot be written.*Set SECRET_KEY"):
        secret_key_from_file(blocker / ".secret_key")


def test_empty_secret_key_file_is_refused_not_used(tmp_path):
    key_file = tmp_path / ".secret_key"
    key_file.write_text("")
    # An empty file is what a crash of an older, non-atomic writer could leave.
    with pytest.raises(ImproperlyConfigured, match="stays empty"):
        secret_key_from_file(key_file)


def test_workers_starting_at_once_agree_on_one_secret_key(tmp_path):
    key_file = tmp_path / ".secret_key"
    with ProcessPoolExecutor(max_workers=8) as pool:
        keys = set(pool.map(secret_key_from_file, [key_file] * 32))
    assert keys == {key_file.read_text().strip()}
