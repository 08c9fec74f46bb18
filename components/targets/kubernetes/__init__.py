"""The Kubernetes target (aks-dev): the specs as raw pulumi-kubernetes objects in one namespace, Grafana behind
the cluster's Ingress or a Gateway's HTTPRoute. `target.py` is what the target table calls."""
