"""The Docker target (local, azure-dev): the specs as containers on one Docker daemon, the local socket or the
Azure VM over SSH, with azure-dev's Azure edges (NSG rule, Key Vault copies, ACR mirrors) around it.
`target.py` is what the target table calls."""
