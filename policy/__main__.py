"""The observability-azure-dev policy pack: every policy in `policies.ALL`, mandatory by default.

Run by the Pulumi CLI (`pulumi preview --policy-pack policy --policy-pack-config policy/azure-dev.json`;
aks-dev: `policy/aks-dev.json`).
Never import this module: the `PolicyPack` constructor serves the engine and does not return.
"""

from pulumi_policy import EnforcementLevel, PolicyPack

from policies import ALL

PolicyPack(name="observability-azure-dev", enforcement_level=EnforcementLevel.MANDATORY, policies=ALL)
