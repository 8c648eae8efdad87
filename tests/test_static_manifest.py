"""``STATIC_MANIFEST``: a server started without the manifest ``collectstatic`` writes refuses to
start, saying what to run; with it, the admin's pages name the hashed files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SERVE_LOGIN_PAGE = r"""
import re
import project.wsgi
from django.test import Client
answer = Client().get("/admin/login/")
print(answer.status_code, bool(re.search(r"admin/css/base\.[0-9a-f]{12}\.css", answer.content.decode())))
"""


def _run(code: str, static_root: Path, *args: str, manifest: bool = True) -> subprocess.CompletedProcess:
    environment = {
        **os.environ, "DJANGO_SETTINGS_MODULE": "project.settings", "STATIC_ROOT": str(static_root),
        "STATIC_MANIFEST": "1" if manifest else "0", "DEBUG": "0", "ALLOWED_HOSTS": "testserver",
    }
    return subprocess.run([sys.executable, *(["-c", code] if code else args)], cwd=ROOT, env=environment,
                          capture_output=True, text=True, timeout=300)


def test_a_server_without_the_manifest_refuses_to_start_and_says_what_to_run(tmp_path):
    """``collectstatic`` run without the setting writes no manifest: every admin page was a
    500 ("Missing staticfiles manifest entry"), and ``check --deploy`` was clean."""
    _run("", tmp_path, "manage.py", "collectstatic", "--noinput", manifest=False).check_returncode()
    started = _run(SERVE_LOGIN_PAGE, tmp_path)
    assert started.returncode != 0
    assert "ImproperlyConfigured: STATIC_MANIFEST is on, but" in started.stderr
    assert "run `STATIC_MANIFEST=1 python manage.py collectstatic`" in started.stderr
    # As the message says: then the pages name the hashed files.
    _run("", tmp_path, "manage.py", "collectstatic", "--noinput").check_returncode()
    served = _run(SERVE_LOGIN_PAGE, tmp_path)
    assert served.returncode == 0, served.stderr[-2000:]
    assert served.stdout.split() == ["200", "True"]


def test_a_manifest_of_an_earlier_release_is_refused_too(tmp_path):
    """A manifest missing one file (an earlier release's, before the webhooks' style sheet)
    passed the check of one file, and the webhooks' pages alone were 500s."""
    _run("", tmp_path, "manage.py", "collectstatic", "--noinput").check_returncode()
    manifest = tmp_path / "staticfiles.json"
    data = json.loads(manifest.read_text())
    del data["paths"]["feed/webhooks.css"]
    manifest.write_text(json.dumps(data))
    for module in ("project.wsgi", "project.asgi"):
        started = _run(f"import {module}", tmp_path)
        assert started.returncode != 0, module
        assert "1 of them missing from it, feed/webhooks.css among them" in started.stderr
