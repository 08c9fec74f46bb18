"""What a newcomer reads first: the README's first screen says what runs without the Pulumi CLI and Docker,
and how, before the Quick start; and every `pulumi login` for the azblob state backend is written one way."""

from __future__ import annotations

import re

from components.settings import ROOT

README = (ROOT / "README.md").read_text()
FIRST_SCREEN = README.splitlines()[:40]


def _first_screen_commands() -> list[str]:
    text = "\n".join(FIRST_SCREEN)
    [block] = re.findall(r"```bash\n(.*?)```", text, re.S)
    return [line.split("#", 1)[0].strip() for line in block.splitlines()]


def test_the_first_screen_shows_the_offline_render_and_the_tests_before_the_quick_start():
    quick_start = README.splitlines().index("## Quick start (local)")
    assert quick_start > len(FIRST_SCREEN) - 20  # the offline part comes first, on the first screen
    assert "Without the Pulumi CLI or Docker" in "\n".join(FIRST_SCREEN)
    assert _first_screen_commands() == ["bash scripts/venv.sh --test",
                                        "venv/bin/python -m components.render --stack local --out render/",
                                        "venv/bin/python -m pytest"]


def test_the_first_screen_states_a_measured_test_time_not_a_guess():
    first_screen = "\n".join(FIRST_SCREEN)
    assert re.search(r"A measured full run on 2 cores \(\d{4}-\d{2}-\d{2}[^)]*\)\s+took \d+ s of wall clock",
                     first_screen)
    assert "about a minute" not in first_screen


def test_every_azblob_login_is_written_the_same_way():
    documents = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")), *sorted(ROOT.glob("Pulumi.*.yaml"))]
    logins = {re.sub(r"\s+", " ", m) for doc in documents
              for m in re.findall(r"pulumi login '?azblob://[^\s'`]*'?", doc.read_text())}
    assert logins == {"pulumi login 'azblob://pulumi-state?storage_account=<account>'"}
