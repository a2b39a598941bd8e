"""Sidecar injection: rendering Istio's templates (`render.run_template` over `data`'s Go views)
and the kube-inject pipeline around it."""
