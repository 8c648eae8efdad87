"""``SECURE_PROXY_SSL_HEADER`` is set only when ``TRUSTED_PROXY_COUNT`` declares proxies in
front: without them, any client's ``X-Forwarded-Proto: https`` was believed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    "count, header",
    [("0", "None"), (None, "None"), ("1", "('HTTP_X_FORWARDED_PROTO', 'https')"), ("2", "('HTTP_X_FORWARDED_PROTO', 'https')")],
)
def test_the_proto_header_is_read_only_behind_trusted_proxies(count, header):
    environment = {name: value for name, value in os.environ.items() if name != "TRUSTED_PROXY_COUNT"}
    if count is not None:  # None: unset, the default
        environment["TRUSTED_PROXY_COUNT"] = count
    read = subprocess.run(
        [sys.executable, "-c", "import project.settings as s; print(s.SECURE_PROXY_SSL_HEADER)"],
        cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60,
    )
    assert read.returncode == 0, read.stderr
    assert read.stdout.strip() == header
