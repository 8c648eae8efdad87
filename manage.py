#!/usr/bin/env python
"""Django's command-line utility for Claimbase."""
import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(sys.argv)
    except ImproperlyConfigured as error:
        # A setting refused (its message names the variable and what it must be): that
        # line, not the traceback of the settings' import around it.
        if "--traceback" in sys.argv:
            raise
        print(f"ImproperlyConfigured: {error}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
