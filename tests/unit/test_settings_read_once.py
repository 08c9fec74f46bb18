"""Every setting is read in exactly one place: parsing a stack calls the Reader's typed accessors (string,
integer, number, boolean, strings, secret) once per key, so two areas can never read one key two ways (the
allowlist keys are read once and handed to the Azure or Kubernetes area that opens the entry).

Counted over every configuration the equivalence proof covers (each shipped stack: local, azure-dev, railway
self-hosted and grafana-cloud, aks-dev, and the settings that change what exists) and each aks-dev variant of
tests/kubernetes_variants.py (the httproute entry among them)."""

from __future__ import annotations

from collections import Counter

import pytest

from components.settings import load_schema, parse
from components.settings.reader import Reader
from tests.equivalence import CONFIGURATIONS
from tests.kubernetes_variants import VARIANTS, stack_file_config
from tests.unit.pulumi_harness import stack_settings

ACCESSORS = ("string", "integer", "number", "boolean", "strings", "secret")


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """How often each key goes through a Reader accessor while the test runs."""
    counts: Counter[str] = Counter()

    def counted(accessor):
        def counting(self, key, *args, **kwargs):
            counts[key] += 1
            return accessor(self, key, *args, **kwargs)
        return counting

    for name in ACCESSORS:
        monkeypatch.setattr(Reader, name, counted(getattr(Reader, name)))
    return counts


def _assert_each_key_read_once(reads: Counter[str]) -> None:
    assert len(reads) > 40, f"the accessors were not counted: {dict(reads)}"
    assert set(reads) <= set(load_schema()), "a key read that the schema does not declare"
    twice = {key: n for key, n in reads.items() if n > 1}
    assert not twice, f"read more than once: {twice}"


@pytest.mark.parametrize("configuration", sorted(CONFIGURATIONS))
def test_a_deploy_reads_each_setting_once(configuration: str, reads: Counter[str]) -> None:
    stack, overrides, secrets = CONFIGURATIONS[configuration]
    settings = stack_settings(stack, overrides, secrets, deploying=True)
    assert settings.environment == stack  # each shipped stack is named for its environment
    _assert_each_key_read_once(reads)


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_each_aks_dev_variant_reads_each_setting_once(variant: str, reads: Counter[str]) -> None:
    settings = parse("aks-dev", stack_file_config() | VARIANTS[variant], set(), deploying=False)
    assert settings.kubernetes is not None
    _assert_each_key_read_once(reads)
