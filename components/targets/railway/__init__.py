"""The Railway target: service specs → Railway objects through its public GraphQL API (dynamic providers).
`target.py` is what the target table calls."""
