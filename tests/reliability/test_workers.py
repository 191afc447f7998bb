"""Three worker processes (``thred_sync --until-idle``, started at once) drain one outbox
on PostgreSQL, against the example project served by gunicorn, without faults.

Without faults no response is ever lost, so a record sent twice can only mean two
workers held it at once: the sandbox's request log must show exactly one create call per
external_id (a second call, even one the sandbox answered idempotently, fails the test),
and every record must end synced. SQLite is skipped: it has no row locks, and its
single-writer lock serialises the workers anyway (the compare-and-set claim is covered by
tests/engine on SQLite).
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from tests.reliability.harness import Site, make_database, suite_postgres_url

pytestmark = pytest.mark.postgres_only

WORKERS = 3
OVERRIDES = {
    "BATCH_SIZE": 15,
    # A worker holds a whole business while it pushes it (its claims are topped up under
    # one lease) and fans its records out: one business per worker at a time, and more
    # businesses than workers, so all three take part; few calls in flight each, so three
    # workers and the server fit PostgreSQL's connections.
    "CONCURRENCY": 1,
    "MAX_IN_FLIGHT": 6,
    "BUSINESS_MAX_IN_FLIGHT": 6,
    "DEPENDENCY_WAIT": 0.2,
    "BACKOFF_BASE": 0.2,
    "BACKOFF_MAX": 1.0,
}


@pytest.fixture
def site(tmp_path: Path):
    if not suite_postgres_url():
        pytest.skip(
            "needs PostgreSQL (set DATABASE_URL=postgres://…): SQLite has no row locks and "
            "lets one writer at a time, so three workers cannot race there"
        )
    logs = tmp_path / "logs"
    logs.mkdir()
    database = make_database(tmp_path, "workers")
    site = Site(database, logs, overrides=OVERRIDES)
    try:
        yield site
    finally:
        site.stop()
        database.drop()


def test_three_workers_never_send_one_record_twice_and_leave_nothing(site: Site) -> None:
    site.migrate()
    manifest = site.seed(businesses=9, per_business=10, seed=11)
    total = site.count_records()
    site.serve(workers=4)

    workers = [site.start_worker(tap_tokens=False) for _ in range(WORKERS)]
    codes = [worker.wait(timeout=600) for worker in workers]
    outputs = [worker.output() for worker in workers]
    assert codes == [0] * WORKERS, "\n\n".join(o[-3000:] for o in outputs)

    # All three took part (otherwise this proves nothing about concurrency).
    claimed = [int(re.search(r"\((\d+) claim\(s\)", o).group(1)) for o in outputs]
    assert all(n > 0 for n in claimed), claimed
    assert sum(claimed) >= total

    held = site.script("holdings.py")
    assert held["faults"] == {}
    posts = {(r, e): n for r, e, n in held["posts"]}
    twice = {key: n for key, n in posts.items() if n != 1}
    assert not twice, f"{len(twice)} records sent more than once, e.g. {list(twice.items())[:10]}"
    outbox = held["outbox"]
    assert len(outbox) == total
    assert set(posts) == {(r, e) for r, _, e, _, _ in outbox}
    assert Counter(state for _, _, _, state, _ in outbox) == {"synced": total}
    business_count = len(manifest["businesses"])
    assert len([1 for r, *_ in held["sandbox"] if r == "business"]) == business_count
    assert len(held["sandbox"]) == total
