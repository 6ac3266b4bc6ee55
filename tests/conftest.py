"""Shared test set-up: Prefect in a throwaway home, one test harness per session."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

# Before Prefect is imported anywhere: its state goes to a temporary folder, and analytics are
# off (they cause 'database is locked' noise in short-lived servers). The folder goes at exit
# (after Prefect's own exit hooks, registered later, have run: atexit runs in reverse order).
os.environ["PREFECT_HOME"] = tempfile.mkdtemp(prefix="prefect-home-")
atexit.register(shutil.rmtree, os.environ["PREFECT_HOME"], ignore_errors=True)
os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
import pytest  # noqa: E402


@pytest.fixture(scope="session", autouse=True)
def _own_working_folder() -> Iterator[None]:
    """Every default path of the pipeline (raw/, reports/, warehouse/) is relative to the
    working directory: the suite works in a folder of its own, so no test writes into the
    repository's raw/, reports/ or warehouse/, whatever it leaves to a default. (Before the
    first test, after collection: a pytest-xdist worker collects after its session starts.)
    The folder is removed after the last test."""
    before = Path.cwd()
    folder = tempfile.mkdtemp(prefix="census-tests-")
    os.chdir(folder)
    yield
    os.chdir(before)
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def prefect_harness():
    """One Prefect test server for every flow test of the session (each start costs ~10 s)."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield
