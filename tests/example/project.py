"""Running the example project's manage.py in subprocesses, with its own settings.

The suite runs under ``tests.settings``; the example project is a separate Django
project, so it is driven through its ``manage.py`` with ``config.settings`` and a
``DATABASE_URL`` of its own. ``ExampleProject`` holds that environment.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
EXAMPLE_DIR = REPO / "example_project"
MANAGE = EXAMPLE_DIR / "manage.py"
IN_PROCESS_TRANSPORT = "thred_django.sandbox.transport.in_process_transport"

# Variables of the suite (or the developer's shell) that must not leak into the project.
_SCRUBBED = ("DJANGO_SETTINGS_MODULE", "DATABASE_URL", "REDIS_URL", "PORT")


def base_environment(database_url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _SCRUBBED and not k.startswith("THRED")}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DATABASE_URL=database_url,
        PYTHONUNBUFFERED="1",
        THRED_LOG_LEVEL="WARNING",
        Q_LOG_LEVEL="WARNING",
    )
    env.update(extra)
    return env


@dataclass
class ExampleProject:
    """One example-project installation: a database and environment variables."""

    database_url: str
    env: dict[str, str] = field(default_factory=dict)

    def environment(self, **extra: str) -> dict[str, str]:
        return base_environment(self.database_url, **{**self.env, **extra})

    def manage(
        self,
        *args: str,
        check: bool = True,
        timeout: float = 300,
        stdin: str | None = None,
        **extra_env: str,
    ) -> subprocess.CompletedProcess[str]:
        """Run ``manage.py <args>``; raise with its output when it fails and ``check``."""
        result = subprocess.run(
            [sys.executable, str(MANAGE), *args],
            cwd=EXAMPLE_DIR,
            env=self.environment(**extra_env),
            input=stdin,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if check and result.returncode != 0:
            raise AssertionError(
                f"manage.py {' '.join(args)} exited {result.returncode}\n"
                f"--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}"
            )
        return result

    def manage_json(self, *args: str, **extra_env: str) -> Any:
        """Run a command that prints JSON on stdout and parse it (stdout must be only JSON)."""
        return json.loads(self.manage(*args, **extra_env).stdout)

    def run_script(self, path: Path) -> Any:
        """Run a Python script inside the project (``manage.py shell``); parse its JSON."""
        result = self.manage("shell", "--no-imports", "-c", path.read_text())
        return json.loads(result.stdout)
