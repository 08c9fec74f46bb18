"""The Docker target (local, azure-dev): the specs as containers on one Docker daemon, the local socket or the
Azure VM over SSH, with azure-dev's Azure edges (NSG rule, Key Vault copies, ACR mirrors) around it."""

from components.targets.docker.deploy import deploy
from components.targets.docker.render import render, specs, summary

__all__ = ["deploy", "render", "specs", "summary"]
