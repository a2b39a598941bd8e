"""`sidecarctl check`: would Istio's webhook inject each workload (files) or pod (cluster), and why.

Settings come from the same flags as kube-inject (files, `--offline`, the cluster's ConfigMaps).
Workloads come from `-f` (Namespace documents in the input give their labels), or from the cluster
with `-n NS` / `--all-namespaces`, together with the namespaces' labels. The deciding is
`sidecarctl.inject.explain`.
"""

from __future__ import annotations

from typing import Any

import click

from sidecarctl.commands.options import pod_template_path_option
from sidecarctl.errors import UsageError
from sidecarctl.workflow.inputs import collect_sources, input_options
from sidecarctl.workflow.settings import SettingsSource, open_cluster, pick, resolve, settings_options

TABLE, JSON = "table", "json"


@click.command("check", context_settings={"help_option_names": ["-h", "--help"]})
@input_options
@settings_options
@pod_template_path_option
@click.option("-n", "--namespace", default=None, help="Check the pods of this namespace in the cluster.")
@click.option("-A", "--all-namespaces", "all_namespaces", is_flag=True, help="Check the pods of every namespace.")
@click.option(
    "-o",
    "--output",
    "output_format",
    type=click.Choice([TABLE, JSON]),
    default=TABLE,
    show_default=True,
    help="A table, or JSON (a list of objects with the table's columns).",
)
def check(
    filenames: tuple[str, ...],
    recursive: bool,
    namespace: str | None,
    all_namespaces: bool,
    output_format: str,
    **flags: Any,
) -> None:
    """Explain whether Istio's webhook would inject each workload or pod, and which rule decided."""
    from sidecarctl.inject import explain

    source = SettingsSource(**pick(flags))
    from_cluster = bool(namespace) or all_namespaces
    if from_cluster and filenames:
        raise UsageError("give either -f FILE or -n NAMESPACE / --all-namespaces, not both")
    if namespace and all_namespaces:
        raise UsageError("give either -n NAMESPACE or --all-namespaces, not both")
    texts = [] if from_cluster else [(s.name, s.text) for s in collect_sources(filenames, recursive)]
    resolved = resolve(source, False)  # native sidecars do not change the decision: no node lookup
    rules = explain.InjectPolicy.from_settings(resolved.settings, resolved.revision)
    if from_cluster:
        verdicts = _cluster_verdicts(open_cluster(source), namespace or "", rules)
    else:
        verdicts = [v for name, text in texts for v in explain.file_verdicts(text, name, rules)]
    click.echo(explain.as_json(verdicts) if output_format == JSON else explain.table(verdicts), nl=False)


def _cluster_verdicts(cluster: Any, namespace: str, rules: Any) -> list[Any]:
    from sidecarctl.inject import explain

    labels = {
        (ns.get("metadata") or {}).get("name"): (ns.get("metadata") or {}).get("labels") or {}
        for ns in cluster.list_namespaces()
    }
    pods = cluster.list_pods(namespace)
    rules = _with_tags(
        cluster, rules, [*labels.values(), *((p.get("metadata") or {}).get("labels") or {} for p in pods)]
    )
    verdicts = []
    for pod in pods:
        meta = pod.get("metadata") or {}
        ns = meta.get("namespace") or ""
        verdicts.append(
            explain.verdict_for_template(
                "Pod", meta.get("name") or "", ns, meta, pod.get("spec") or {}, rules, labels.get(ns, {})
            )
        )
    return verdicts


def _with_tags(cluster: Any, rules: Any, label_sets: list[dict[str, str]]) -> Any:
    """The revision tags among the `istio.io/rev` values in use, and where the `default` tag points,
    read from the cluster's tag webhooks (as istioctl reads them)."""
    import dataclasses

    from sidecarctl.inject.explain import REVISION_LABEL

    values = {labels[REVISION_LABEL] for labels in label_sets if labels.get(REVISION_LABEL)}
    tags = {}
    for value in sorted(values - {rules.revision or "default"}):
        target = cluster.tag_revision(value)
        if target:
            tags[value] = target
    return dataclasses.replace(rules, tags=tags, default_revision=cluster.resolve_revision("") or "default")
