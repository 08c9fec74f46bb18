"""The benchmark's floors declare exactly what the program declares (otherwise its ratios compare unlike
things), and the same-classes floor declares it through the provider SDKs' own classes."""

from __future__ import annotations

import pulumi_docker
import pulumi_random
import pytest

from tests import benchmark
from tests.unit import pulumi_harness


@pytest.fixture(scope="module")
def local_resources() -> dict:
    return benchmark.program_resources(pulumi_harness, "local")


def declared(resources: list) -> list:
    return sorted(([r["type"], r["name"], r["inputs"]] for r in resources), key=lambda r: r[:2])


@pytest.mark.parametrize("kind", ["bare", "same-shape", "same-classes"])
def test_a_floor_registers_the_programs_resources_with_the_same_inputs(kind, local_resources):
    monitor = benchmark.declare_floor(pulumi_harness, kind, "local", local_resources)
    floor = declared([{"type": r.typ, "name": r.name, "inputs": r.inputs} for r in monitor.registered])
    assert floor, "the floor declared nothing"
    assert floor == declared(local_resources["resources"])


def test_the_same_classes_floor_uses_the_sdk_class_of_each_type():
    assert benchmark.sdk_class("docker:index/container:Container") is pulumi_docker.Container
    assert benchmark.sdk_class("pulumi:providers:docker") is pulumi_docker.Provider
    assert benchmark.sdk_class("random:index/randomPassword:RandomPassword") is pulumi_random.RandomPassword
    assert benchmark.sdk_class("pulumi-python:dynamic:Resource") is None  # the program's own providers
