"""Fixtures shared by the validator tests: the real Loki and Tempo of each stack, booted once per session."""

from __future__ import annotations

import pytest

from tests.validators.grafana_bin import TEMPO_SEEDS, start_loki, start_tempo, stop, wait_ready

# Stacks whose render ships this stack's own Loki and Tempo.
BACKEND_STACKS = ("local", "azure-dev")


@pytest.fixture(scope="session")
def live_backends(rendered, tmp_path_factory):
    """{("loki" | "tempo", stack): Server}, all started together and stopped at the end of the session.

    Tempo is ready in a second and gets the registered seed traces at once, so they become searchable
    (~30 s) while Loki is still starting (its ingesters wait out their min_ready_duration)."""
    servers = {}
    try:
        for stack in BACKEND_STACKS:
            servers["tempo", stack] = start_tempo(rendered(stack), tmp_path_factory.mktemp(f"tempo-{stack}"))
            servers["loki", stack] = start_loki(rendered(stack), tmp_path_factory.mktemp(f"loki-{stack}"))
        for stack in BACKEND_STACKS:
            wait_ready(servers["tempo", stack])
            for seed in TEMPO_SEEDS:
                seed(stack, servers["tempo", stack])
        wait_ready(*servers.values())
        yield servers
    finally:
        for server in servers.values():
            stop(server)
