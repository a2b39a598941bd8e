"""`sidecarctl uninject`: remove what kube-inject (or the webhook) added to manifests.

Input and output as kube-inject (`sidecarctl.workflow`): `-f` (repeatable, directories, `-`) or a
piped stdin; stdout, `-o FILE` or `--in-place`, YAML or JSON; nothing is written unless every
document of every input succeeded. The work is `sidecarctl.inject.uninject`.
"""

from __future__ import annotations

import click

from sidecarctl.inject.workloads import pod_template_path_option
from sidecarctl.workflow.inputs import collect_sources, input_options
from sidecarctl.workflow.outputs import OutputOptions, output_options, write


@click.command("uninject", context_settings={"help_option_names": ["-h", "--help"]})
@input_options
@output_options
@pod_template_path_option
def uninject(filenames: tuple[str, ...], recursive: bool, out: OutputOptions) -> None:
    """Remove the Istio sidecar and everything injection added, as recorded in each pod."""
    from sidecarctl.inject.uninject import uninject_stream

    sources = collect_sources(filenames, recursive)
    out.check(sources)
    results = [(source, uninject_stream(source.text, source=source.name)) for source in sources]
    write(results, out)
