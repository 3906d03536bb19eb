"""Fixtures of the import tests."""

from __future__ import annotations

import dataclasses

import pytest

from postmortem_kit.ingest.registry import get_format, register_format

#: Formats with a fast block reader (``read_block``).
FAST_READ = (
    "json", "docker-json", "ecs-json", "journald-json", "logfmt", "csv", "combined", "common",
    "text", "syslog-rfc3164",
)  # fmt: skip


@pytest.fixture(scope="session")
def general_formats():
    """Each format of :data:`FAST_READ` also as ``NAME-general``: the same row of the format
    table without ``read_block``, so that every block goes the general way."""
    for name in FAST_READ:
        fmt = get_format(name)
        register_format(
            dataclasses.replace(fmt, name=f"{name}-general", aliases=(), read_block=None),
            replace=True,
        )
