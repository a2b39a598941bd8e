"""sidecarctl: Istio sidecar injection for Kubernetes manifests.

Layers, lowest first; a module imports only from its own package and from layers below it, and
tests/test_layers.py checks every import (in functions, under TYPE_CHECKING, and the names given to
lazy loaders):
  golang/             Go's runtime (strconv, encoding/json, time): written once, imports nothing else
  gotemplate/ yamlio/ Go text/template + Sprig + Istio's functions; manifests in and
                      istioctl-identical YAML out (each uses golang only)
  kube/ config/       Kubernetes object model (never runs templates); injection settings (files or
                      cluster: config/cluster.py is the only module importing `kubernetes`)
  inject/             the injection engine: decisions, template data, render, merge, post-processing
  workflow/ webhook/  what the commands share (inputs, outputs, settings sources); the admission server
  commands/           the click commands, thin: flags -> core call -> output and exit code
  cli.py              the click group (click is imported only in commands/ and here, and in
                      workflow's shared option builders until they move: the test lists them)
errors.py, limits.py, diskcache.py and releases/ (the supported Istio releases), at the root, serve
every layer.
"""

__version__ = "0.1.0"
