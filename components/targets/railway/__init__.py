"""The Railway target: service specs → Railway objects through its public GraphQL API (dynamic providers)."""

from components.targets.railway.stack import RailwayStack, RailwayStackArgs

__all__ = ["RailwayStack", "RailwayStackArgs"]
