"""`sidecarctl uninject`: remove what kube-inject (or the webhook) added to manifests.

Input and output as kube-inject (`sidecarctl.workflow`): `-f` (repeatable, directories, `-`) or a
piped stdin; stdout, `-o FILE` or `--in-place`, YAML or JSON; nothing is written unless every
document of every input succeeded. Settings are optional: kube-inject's flags, when given, let
uninject render the templates to see what they add. The work is `sidecarctl.inject.uninject`.
"""

from __future__ import annotations

from typing import Any

import click

from sidecarctl.commands.options import pod_template_path_option
from sidecarctl.workflow.inputs import collect_sources, input_options
from sidecarctl.workflow.outputs import OutputOptions, output_options, write
from sidecarctl.workflow.settings import SettingsSource, pick, resolve, settings_options


@click.command("uninject", context_settings={"help_option_names": ["-h", "--help"]})
@input_options
@output_options
@settings_options
@pod_template_path_option
def uninject(filenames: tuple[str, ...], recursive: bool, out: OutputOptions, **flags: Any) -> None:
    """Remove the Istio sidecar and everything injection added, as recorded in each pod.

    Without settings flags nothing but the manifests is read. With them (as kube-inject's), the
    injection templates are rendered to find what they add that no annotation records."""
    from sidecarctl.inject.uninject import uninject_stream

    source_flags = SettingsSource(**pick(flags))
    sources = collect_sources(filenames, recursive)
    out.check(sources)
    settings = resolve(source_flags, False).settings if _wants_settings(source_flags) else None
    results = [(source, uninject_stream(source.text, source=source.name, settings=settings)) for source in sources]
    write(results, out)


def _wants_settings(source: SettingsSource) -> bool:
    """Any settings flag asks for settings; without one uninject never reads a cluster."""
    return bool(
        source.offline
        or source.inject_config_file
        or source.values_file
        or source.mesh_config_file
        or source.operator_file
    )
