#!/usr/bin/env python
"""Command-line utility of the thred_django example project (a multi-tenant sales app)."""

import os
import sys
from pathlib import Path


def main() -> None:
    """Run a Django management command with the example project's settings."""
    here = Path(__file__).resolve().parent
    # Works from a plain checkout too: thred_django lives one directory up.
    sys.path.insert(1, str(here.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
