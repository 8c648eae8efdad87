#!/usr/bin/env python3
"""Claimbase quick start. Needs only Python 3.11+.

    python3 run.py demo    set up (virtual environment, database, demo data) and serve
                           http://127.0.0.1:8000/
    python3 run.py test    run the whole test suite (extra arguments go to pytest)

Both create ``.venv`` from requirements.txt on first use, and reinstall when
requirements.txt changes.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
REQUIREMENTS = ROOT / "requirements.txt"
MARKER = VENV / ".requirements.sha256"


def venv_python() -> Path:
    return VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def ensure_environment() -> Path:
    """Create the virtual environment and install the pinned requirements when needed."""
    if sys.version_info < (3, 11):
        sys.exit("Claimbase needs Python 3.11 or newer.")
    if not venv_python().exists():
        print("Creating the virtual environment in .venv ...", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    wanted = hashlib.sha256(REQUIREMENTS.read_bytes()).hexdigest()
    if not MARKER.exists() or MARKER.read_text().strip() != wanted:
        print("Installing requirements ...", flush=True)
        pip = [str(venv_python()), "-m", "pip"]
        subprocess.run([*pip, "install", "--quiet", "--upgrade", "pip"], check=True)
        subprocess.run([*pip, "install", "--quiet", "-r", str(REQUIREMENTS)], check=True)
        MARKER.write_text(wanted)
    return venv_python()


def manage(python: Path, *args: str, env: dict | None = None) -> None:
    subprocess.run([str(python), str(ROOT / "manage.py"), *args], check=True, cwd=ROOT, env=env)


def demo(args: list[str]) -> int:
    python = ensure_environment()
    env = dict(os.environ)
    # The demo is served over plain HTTP on this machine.
    env.setdefault("SESSION_COOKIE_SECURE", "0")
    env.setdefault("CSRF_COOKIE_SECURE", "0")
    password = env.get("DEMO_PASSWORD") or secrets.token_urlsafe(9)
    manage(python, "migrate", "--noinput", "-v", "0", env=env)
    # One argument, "--password=...": a password may begin with "-" (token_urlsafe draws it 1
    # time in 64), which as a separate argument would read as an option.
    manage(python, "seed_demo", f"--password={password}", env=env)
    address = args[0] if args else "127.0.0.1:8000"
    print(
        f"\nClaimbase is at http://{address}/ (admin: /admin/, API: /api/v1/, docs: /api/docs/)."
        f"\nLog in as analyst, reviewer or admin with the password {password}\n",
        flush=True,
    )
    try:
        manage(python, "runserver", "--noreload", address, env=env)
    except KeyboardInterrupt:
        pass
    return 0


# External reference data some tests check against (W3C annotation schemas, quote-matching
# cases): not in the repository. Where a machine keeps it beside the checkout, ``test``
# points the suite at it; elsewhere those tests skip, saying why.
REFERENCE_BESIDE_CHECKOUT = ROOT.parent / "shared" / "reference"


def test(args: list[str]) -> int:
    python = ensure_environment()
    env = dict(os.environ)
    if not env.get("CLAIMBASE_REFERENCE_DIR") and REFERENCE_BESIDE_CHECKOUT.is_dir():
        env["CLAIMBASE_REFERENCE_DIR"] = str(REFERENCE_BESIDE_CHECKOUT)
    result = subprocess.run([str(python), "-m", "pytest", *args], cwd=ROOT, env=env)
    if result.returncode == 5:
        print("No tests were collected: that is a failure.", file=sys.stderr)
        return 1
    return result.returncode


def main() -> int:
    commands = {"demo": demo, "test": test}
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        print(__doc__)
        return 2
    return commands[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    sys.exit(main())
