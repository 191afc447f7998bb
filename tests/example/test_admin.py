"""The example admin opens for every model and shows the Thred sync state."""

from __future__ import annotations

from pathlib import Path

from tests.example.project import ExampleProject

SCRIPT = Path(__file__).resolve().parent / "scripts" / "admin_pages.py"


def test_every_sales_admin_page_opens_with_the_thred_column(project: ExampleProject) -> None:
    project.manage("seed_demo", "--businesses", "1", "--per-business", "2")
    project.env["DJANGO_ALLOWED_HOSTS"] = "testserver"
    pages = project.run_script(SCRIPT)
    changelists = [url for url in pages if "/change/" not in url]
    assert len(changelists) == 11  # one admin per mapped model (lines are inlines)
    assert all(status == 200 for status, _ in pages.values()), pages
    assert all(has_column for _, has_column in pages.values()), pages
