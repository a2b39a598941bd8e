"""sidecarctl: Istio sidecar injection for Kubernetes manifests.

Layers, lowest first (a module never imports from a layer above it):
  gotemplate/  Go text/template + Sprig + Istio's template functions (stands alone)
  yamlio/      manifests in (YAML/JSON streams) and istioctl-identical YAML out
  kube/        Kubernetes object model: typed normalisation, quantities, strategic merge
  config/      injection settings: inject config, values, mesh config (files or cluster)
  inject/      the injection engine: decisions, template data, render, merge, post-processing
  commands/    the click commands, thin: flags -> core call -> output and exit code
"""

__version__ = "0.1.0"
