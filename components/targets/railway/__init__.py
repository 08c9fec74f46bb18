"""The Railway target: service specs → Railway objects through its public GraphQL API (dynamic providers)."""

from components.targets.railway.deploy import deploy
from components.targets.railway.render import render, specs, summary

__all__ = ["deploy", "render", "specs", "summary"]
