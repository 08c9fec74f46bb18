"""The only code that declares Pulumi resources: the Docker host, the Azure edges, secrets."""
