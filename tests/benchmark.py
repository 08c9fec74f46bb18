"""How much a run of the program costs above the cost of registering its resources: a benchmark, not a test.

    venv/bin/python -m tests.benchmark [--repeat 5]

For a stack, four programs run under the same mocks, each in a fresh process (so import costs count), timed
from just before the program to its end, alternating, median of `--repeat`:
- the program itself (`__main__.py`, as tests/unit/pulumi_harness.py runs it);
- the bare floor: a program that registers the same resources (type, name, inputs) as plain
  `pulumi.CustomResource`s and imports no provider SDK;
- the same-SDK floor: the bare floor after loading the SDK classes and functions its resources and lookups
  come from (pulumi_docker.Container, pulumi_azure_native.network.SecurityRule, ...);
- the same-shape floor: the same-SDK floor with as many component resources as the program declares, each
  resource parented to one (the components are in every resource's URN: state requires them).
It prints program / floor for local against the bare floor (goal ≤ 3×) and for azure-dev against the same-SDK
floor (goal ≤ 1.5×), and how far the same-shape floor alone is above the bare one: the figures README's
"Performance notes" quote.
"""

from __future__ import annotations

import argparse
import importlib
import json
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOALS = {"local": ("bare", 3.0), "azure-dev": ("same-sdk", 1.5)}
# The Python package of a provider's type tokens.
SDK_PACKAGES = {"docker": "pulumi_docker", "random": "pulumi_random", "tls": "pulumi_tls",
                "kubernetes": "pulumi_kubernetes", "azure-native": "pulumi_azure_native"}


def sdk_members(tokens: list[str]) -> list[tuple[str, str]]:
    """(module, attribute) of the SDK class or function behind each resource type or invoke token: what any
    program declaring those resources and making those lookups must load (azure-native loads a service's
    module on first attribute access, so importing the module alone would load nothing)."""
    members = set()
    for token in tokens:
        package, middle, name = (token.split(":")[2], "index", "Provider") if token.startswith("pulumi:providers:") \
            else token.split(":")
        if package not in SDK_PACKAGES:
            continue  # this program's own dynamic providers
        module = SDK_PACKAGES[package] + ("" if middle.startswith("index") else "." + middle.replace("/", "."))
        attribute = name if name[0].isupper() else re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()  # getVault: get_vault
        members.add((module, attribute))
    return sorted(members)


def load_members(members: list[tuple[str, str]]) -> None:
    for module, attribute in members:
        getattr(importlib.import_module(module), attribute)


def _harness():
    from components.settings import sources
    from tests.shipped_stacks import with_test_allowlist
    from tests.unit import pulumi_harness

    for module in (sources, pulumi_harness):  # the shipped azure-dev file gets its test allowlist, as in the suite
        module.read_stack_config = with_test_allowlist(module.read_stack_config)  # type: ignore[attr-defined]
    return pulumi_harness


def measure(kind: str, stack: str, resources_file: Path) -> float:
    """Seconds one run of `kind` takes in this process (called in a fresh one)."""
    harness = _harness()
    import pulumi

    if kind == "program":
        start = time.perf_counter()
        harness.run_program(stack)
        return time.perf_counter() - start
    resources = json.loads(resources_file.read_text())
    start = time.perf_counter()
    if kind in ("same-sdk", "same-shape"):
        load_members(sdk_members([r["type"] for r in resources["resources"]] + resources["invokes"]))
    components = resources["components"] if kind == "same-shape" else 0
    mocks = harness.RecordingMocks()
    pulumi.runtime.settings.ROOT.set(None)
    pulumi.runtime.set_mocks(mocks, project="observability", stack=stack, monitor=harness.RecordingMonitor(mocks))

    @pulumi.runtime.test
    def run():
        parents = [pulumi.ComponentResource("benchmark:floor:Component", f"component-{i}") for i in range(components)]
        for parent in parents:
            parent.register_outputs({})
        for i, r in enumerate(resources["resources"]):
            opts = pulumi.ResourceOptions(parent=parents[i % components]) if parents else None
            if r["type"].startswith("pulumi:providers:"):
                pulumi.ProviderResource(r["type"].split(":")[2], r["name"], r["inputs"], opts=opts)
            else:
                pulumi.CustomResource(r["type"], r["name"], r["inputs"], opts=opts)

    run()
    return time.perf_counter() - start


def _child(kind: str, stack: str, resources_file: Path) -> float:
    out = subprocess.run([sys.executable, "-m", "tests.benchmark", "--measure", kind, stack, str(resources_file)],
                         cwd=ROOT, capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def compare(stack: str, repeat: int) -> tuple[float, dict[str, float]]:
    """(the program's median seconds, each floor's median seconds)."""
    harness = _harness()

    class Counting(harness.RecordingMonitor):
        components = 0

        def RegisterResource(self, request):
            if not request.custom and request.type != "pulumi:pulumi:Stack":
                Counting.components += 1
            return super().RegisterResource(request)

    mocks = harness.RecordingMocks()
    program = harness.run_program(stack, mocks=mocks, monitor=Counting(mocks))
    resources = {"resources": [{"type": r.typ, "name": r.name, "inputs": r.inputs} for r in program.resources],
                 "invokes": sorted({call.token for call in program.invokes}), "components": Counting.components}
    assert resources["resources"] and Counting.components, f"{stack} declared no resources"
    times: dict[str, list[float]] = {"program": [], "bare": [], "same-sdk": [], "same-shape": []}
    with tempfile.TemporaryDirectory() as scratch:
        resources_file = Path(scratch) / "resources.json"
        resources_file.write_text(json.dumps(resources))
        for _ in range(repeat):
            for kind in times:
                times[kind].append(_child(kind, stack, resources_file))
    medians = {kind: statistics.median(values) for kind, values in times.items()}
    return medians.pop("program"), medians


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.benchmark", description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--measure", nargs=3, metavar=("KIND", "STACK", "RESOURCES"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure:
        kind, stack, resources_file = args.measure
        print(f"{measure(kind, stack, Path(resources_file)):.4f}")
        return 0
    for stack, (floor, goal) in GOALS.items():
        program, floors = compare(stack, args.repeat)
        ratio = program / floors[floor]
        print(f"{stack:9} program {program:.3f} s; floors: bare {floors['bare']:.3f} s, same-SDK "
              f"{floors['same-sdk']:.3f} s, same-shape {floors['same-shape']:.3f} s; program / {floor} floor = "
              f"{ratio:.2f}x (goal <= {goal}x); same-shape / bare = {floors['same-shape'] / floors['bare']:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
