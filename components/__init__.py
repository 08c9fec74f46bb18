"""The observability stack's program code: settings, image catalog, service specs and Pulumi targets."""
