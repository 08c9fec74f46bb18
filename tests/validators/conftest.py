"""Fixtures shared by the validator tests: the real Loki and Tempo of each stack, booted once per session.

They take ~10 s to report ready and Tempo makes a trace searchable only ~30 s after it arrives, all of it
waiting, not work: so when the collected tests use them, they start as soon as collection ends, in the
background, and the unit tests run meanwhile.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
from pathlib import Path

import pytest

from tests.validators.grafana_rules import rendered_rules
from tests.validators.engine_servers import TEMPO_SEEDS, Server, start_loki, start_tempo, stop, wait_ready
from tests.validators.engines import engines_present

# Stacks whose render ships this stack's own Loki and Tempo: as Docker containers (local, azure-dev), as
# cluster workloads (aks-dev) or as Railway services (railway, self-hosted). test_loki_tempo_live checks
# the list against the renders.
BACKEND_STACKS = ("local", "azure-dev", "aks-dev", "railway")
FIXTURE = "live_backends"


class LiveBackends:
    """Starts every stack's Loki and Tempo, then (in a thread) waits for them and pushes the seed traces."""

    def __init__(self, workdir: Path, owned: bool = False):
        from components.render import render
        from components.settings import from_stack_file

        self.workdir, self.owned = workdir, owned
        self.servers: dict[tuple[str, str], Server] = {}
        self.error: BaseException | None = None
        for stack in BACKEND_STACKS:
            render_dir = workdir / f"render-{stack}"
            render(from_stack_file(stack), render_dir)
            self.servers["tempo", stack] = start_tempo(render_dir, workdir / f"tempo-{stack}")
            self.servers["loki", stack] = start_loki(render_dir, workdir / f"loki-{stack}")
        self._thread = threading.Thread(target=self._prepare, name="live-backends", daemon=True)
        self._thread.start()

    def _prepare(self) -> None:
        try:
            for stack in BACKEND_STACKS:
                wait_ready(self.servers["tempo", stack])
                for seed in TEMPO_SEEDS:
                    seed(stack, self.servers["tempo", stack])
            wait_ready(*self.servers.values())
        except BaseException as error:  # noqa: BLE001 - re-raised in the test that needs the servers
            self.error = error

    def ready(self) -> dict[tuple[str, str], Server]:
        self._thread.join()
        if self.error is not None:
            raise self.error
        return self.servers

    def stop(self) -> None:
        for server in self.servers.values():
            stop(server)
        if self.owned:
            shutil.rmtree(self.workdir, ignore_errors=True)


_started: list[LiveBackends] = []


def pytest_collection_finish(session: pytest.Session) -> None:
    wanted = any(FIXTURE in getattr(item, "fixturenames", ()) for item in session.items)
    if wanted and engines_present("loki", "tempo"):
        _started.append(LiveBackends(Path(tempfile.mkdtemp(prefix="live-backends-")), owned=True))


def pytest_sessionfinish(session: pytest.Session) -> None:
    for backends in _started:
        backends.stop()


@pytest.fixture(scope="session")
def live_backends(tmp_path_factory) -> dict[tuple[str, str], Server]:
    """{("loki" | "tempo", stack): Server}, ready, with the registered seed traces pushed (see tempo_seed)."""
    if not _started:  # not started early (a missing engine: start_* then skips or fails with the reason)
        _started.append(LiveBackends(tmp_path_factory.mktemp("live-backends")))
    return _started[0].ready()


@pytest.fixture(scope="module")
def rules(rendered) -> dict[str, dict]:
    """The local stack's rendered Grafana alert rules by uid."""
    return rendered_rules(rendered("local"))
