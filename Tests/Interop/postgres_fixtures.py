"""A PostgreSQL database of its own for a test module, on the server scripts/test-postgres.sh runs
(`ISID_TEST_POSTGRES_URL`); CI always has one, so there a missing server fails instead of skipping."""

from __future__ import annotations

import contextlib
import os
import subprocess
import uuid
from urllib.parse import urlsplit, urlunsplit

import pytest


def server_url() -> str:
    url = os.environ.get("ISID_TEST_POSTGRES_URL", "")
    if not url:
        if os.environ.get("CI") == "true":
            pytest.fail("ISID_TEST_POSTGRES_URL is not set: CI runs the PostgreSQL tests (scripts/test-postgres.sh)")
        pytest.skip("no PostgreSQL test server (set ISID_TEST_POSTGRES_URL from scripts/test-postgres.sh)")
    return url


@contextlib.contextmanager
def fresh_database():
    """Yields the URL of a new, empty database, dropped afterwards."""
    admin = server_url()
    name = "isid_i_" + uuid.uuid4().hex
    psql = ["psql", admin.split("?")[0], "-q", "-v", "ON_ERROR_STOP=1", "-c"]
    subprocess.run([*psql, f"CREATE DATABASE {name}"], check=True, timeout=30)
    parts = urlsplit(admin)
    try:
        yield urlunsplit(parts._replace(path="/" + name))
    finally:
        subprocess.run([*psql, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"], timeout=30)
