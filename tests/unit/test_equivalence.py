"""Nothing a user deploys changes unnoticed: each configuration's render, declared resources, registered outputs
and Railway build contexts equal the snapshot (tests/equivalence.py; regenerate it only for a deliberate change)."""

from __future__ import annotations

import json

import pytest

from tests import equivalence

SNAPSHOT = json.loads(equivalence.SNAPSHOT.read_text())


def test_the_snapshot_covers_every_configuration_and_holds_what_it_compares():
    assert sorted(SNAPSHOT) == sorted(equivalence.CONFIGURATIONS)
    for record in SNAPSHOT.values():
        assert record["render"] and record["resources"] and record["outputs"]


@pytest.mark.parametrize("name", sorted(equivalence.CONFIGURATIONS))
def test_the_configuration_deploys_exactly_what_the_snapshot_recorded(name):
    actual = equivalence.digests(equivalence.records([name]))
    assert equivalence.differences({name: SNAPSHOT[name]}, actual) == []
