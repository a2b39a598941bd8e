"""`sidecarctl kube-inject`: istioctl kube-inject's flags over the injection pipeline, plus workflows.

By default the output is istioctl's, byte for byte. The command reads every input, loads the
settings, runs `sidecarctl.inject.pipeline` over every stream, and only then writes (stdout, `-o`,
or each input with `--in-place`, through temporary files renamed into place), so a failure never
leaves half a stream behind. The plain output is streamed: each input file is checked up front,
then read again a block at a time, documents are split lazily and each output goes to a spool as
it is made (`sidecarctl.workflow.spool`), so memory hardly grows with N. Views (`--diff`,
`--patch`, `--preserve-formatting`) and the summary live in `sidecarctl.workflow`, shared with the
other commands.
"""

from __future__ import annotations

import contextlib
import gc
import os
import sys
from collections.abc import Iterator
from typing import Any

import click

from sidecarctl.commands import template_options as template_opts
from sidecarctl.commands.options import pod_template_path_option
from sidecarctl.errors import SidecarError, UsageError
from sidecarctl.workflow import settings as settings_mod
from sidecarctl.workflow.documents import SourceRun, inject_sources
from sidecarctl.workflow.inputs import collect_sources, input_options
from sidecarctl.workflow.outputs import JSON, YAML, OutputOptions, output_options, write, write_atomically, write_text
from sidecarctl.workflow.progname import ProgramCommand
from sidecarctl.workflow.progress import CountingResults, Progress, showing
from sidecarctl.workflow.settings import SettingsSource, pick, settings_options
from sidecarctl.workflow.summary import any_skipped, summary

__all__ = ["SettingsSource", "kube_inject", "write_atomically"]

NATIVE_SIDECARS_ENV = settings_mod.NATIVE_SIDECARS_ENV
DIFF, PATCH = "diff", "patch"
STRATEGIC, JSON6902 = "strategic", "json6902"  # sidecarctl.workflow.patch.FORMATS, without its imports
PATCH_FORMATS = (STRATEGIC, JSON6902)


class SkippedWorkloads(SidecarError):
    """--fail-on-skip: the output is complete and written; the exit code tells CI."""


@click.command("kube-inject", cls=ProgramCommand, context_settings={"help_option_names": ["-h", "--help"]})
@input_options
@output_options
@settings_options
@pod_template_path_option
@click.option(
    "--native-sidecars/--no-native-sidecars",
    "native_sidecars",
    default=None,
    help="Inject istio-proxy as a native sidecar (an init container that keeps running) or not. "
    "Default, as istioctl: ENABLE_NATIVE_SIDECARS, matched exactly: `true` on, `false` off, "
    "`auto` (the default when unset) asks the cluster's nodes when settings come from a "
    "cluster and is off otherwise (--offline, settings files); any other value warns and "
    "is off.",
)
@click.option(
    "--preserve-formatting",
    is_flag=True,
    help="Keep the input's comments, key order and quoting wherever injection changed nothing.",
)
@click.option("--diff", is_flag=True, help="Print a unified diff per changed document instead.")
@click.option(
    "--patch",
    is_flag=True,
    help="Print, per injected workload, a patch for kustomize that gives the injected workload.",
)
@click.option(
    "--patch-format",
    "patch_format",
    type=click.Choice(PATCH_FORMATS),
    default=None,
    help="With --patch: strategic (default; documents for `patches:`) or json6902 (a kustomize "
    "Component of JSON 6902 patches). Implies --patch.",
)
@click.option("--fail-on-skip", is_flag=True, help="Exit 1 (after writing) when any workload was skipped.")
@click.option(
    "-v",
    "--verbose",
    is_flag=True,
    help="A line per workload on stderr (injected, or skipped and why) before the counts.",
)
@template_opts.template_options
def kube_inject(
    filenames: tuple[str, ...],
    recursive: bool,
    out: OutputOptions,
    native_sidecars: bool | None,
    preserve_formatting: bool,
    diff: bool,
    patch: bool,
    patch_format: str | None,
    fail_on_skip: bool,
    verbose: bool,
    **flags: Any,
) -> None:
    """Inject the Istio sidecar into Kubernetes workloads, byte for byte as istioctl kube-inject."""
    patch = patch or patch_format is not None
    if out.quiet and verbose:
        raise UsageError("-q/--quiet and -v/--verbose cannot be used together")
    if diff and patch:
        raise UsageError("--diff and --patch cannot be used together")
    view = DIFF if diff else PATCH if patch else None
    check_view(out, view, preserve_formatting)
    # the template budget's limits and denied functions for the whole run (closed with the command)
    click.get_current_context().with_resource(template_opts.template_safety(**template_opts.pick(flags)))
    # The plain output reads regular files line by line as it injects them, not whole; views and
    # --in-place (which compares each file with its output) hold the inputs whole.
    streamed = view is None and not preserve_formatting and not out.in_place
    sources = collect_sources(filenames, recursive, streamed=streamed)
    out.check(sources)
    source = SettingsSource(**pick(flags))
    if native_sidecars is None:
        warn_unknown_native_sidecars(os.environ.get(NATIVE_SIDECARS_ENV))
    resolved = settings_mod.resolve(source, native_sidecars)
    progress = Progress(enabled=False) if out.quiet else Progress()  # -q: nothing on stderr but errors
    injector = make_injector(resolved, CountingResults(progress))
    with long_lived_heap(), showing(progress):
        if view is None and not preserve_formatting:  # the plain output: streamed, memory bounded
            from sidecarctl.workflow.spool import commit, inject_to_spool

            try:
                spool, parts = inject_to_spool(injector, sources, out)
            finally:
                print_warnings(injector.warnings)
            commit(spool, parts, out)
            outcomes = list(injector.results)
            names = [part.source.name for part in parts for _ in range(part.outcomes)]
        else:
            try:
                runs = inject_sources(injector, sources)
            finally:
                print_warnings(injector.warnings)
            emit(runs, injector, out, view, preserve_formatting, patch_format or STRATEGIC)
            outcomes = [outcome for run in runs for outcome in run.outcomes]
            names = [run.source.name for run in runs for _ in run.outcomes]
    if not out.quiet:
        click.echo(summary(outcomes, files=len(sources), names=names, verbose=verbose), err=True, nl=False)
    if fail_on_skip and any_skipped(outcomes):
        skipped = sum(1 for outcome in outcomes if not outcome.injected)
        raise SkippedWorkloads(f"{skipped} workload{'s' if skipped != 1 else ''} skipped (--fail-on-skip)")


BATCH_GC_THRESHOLD = 5000


@contextlib.contextmanager
def long_lived_heap() -> Iterator[None]:
    """Modules, settings and parsed templates live for the whole run: frozen, the cyclic collector
    stops walking them again every few hundred allocations (a tenth of a long batch), and a larger
    first generation (5,000, not startup's 50,000, which would let cyclic garbage pile up over a
    long batch) lets each document's short-lived dicts go by reference counting. Restored after,
    for callers that run kube-inject in-process."""
    threshold = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(threshold[0] and BATCH_GC_THRESHOLD, *threshold[1:])  # 0: collection is off
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()


def check_view(out: OutputOptions, view: str | None, preserve_formatting: bool) -> None:
    """Flag combinations that cannot work (exit 2 before anything is read)."""
    if view and out.in_place:
        raise UsageError(f"--{view} prints to stdout or -o; it cannot be used with --in-place")
    if view == DIFF and out.output_format == JSON:
        raise UsageError("--diff compares YAML; it cannot be used with --output-format json")
    if preserve_formatting and out.output_format == JSON:
        raise UsageError("--preserve-formatting keeps YAML comments; it cannot be used with --output-format json")
    if preserve_formatting and view == PATCH:
        raise UsageError("--patch writes new documents; --preserve-formatting does not apply to it")


NATIVE_SIDECAR_MODES = ("true", "false", "auto")  # pilot/pkg/features: matched exactly, case and all


def warn_unknown_native_sidecars(value: str | None) -> None:
    """Istio's warning for an ENABLE_NATIVE_SIDECARS it does not know (`TRUE`, `1`, `yes`): the
    mode is then off, as in Istio, and the line says so in istioctl's log format."""
    if value is None or value in NATIVE_SIDECAR_MODES:
        return
    import datetime

    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    click.echo(f"{stamp}\twarn\tUnknown value for {NATIVE_SIDECARS_ENV}: {value}, defaulting to false", err=True)


def make_injector(resolved: settings_mod.Resolved, results: list[Any] | None = None) -> Any:
    from sidecarctl.inject.pipeline import KubeInject

    return KubeInject(
        settings=resolved.settings,
        native_sidecars=resolved.native_sidecars,
        revision=resolved.revision,
        log=lambda line: click.echo(line, err=True),
        results=results,
    )


def print_warnings(warnings: list[str]) -> None:
    """istioctl's skip warnings, after the run and a blank line, as istioctl prints them."""
    if warnings:
        sys.stderr.write("\n" + "".join(w + "\n" for w in warnings))
        sys.stderr.flush()


def emit(
    runs: list[SourceRun],
    injector: Any,
    out: OutputOptions,
    view: str | None,
    preserve: bool,
    patch_format: str = STRATEGIC,
) -> None:
    """Build every text first (views may still fail), then write."""
    if view == PATCH:
        from sidecarctl.workflow.outputs import render
        from sidecarctl.workflow.patch import component_stream, patch_stream

        text = (
            component_stream(runs, injector)
            if patch_format == JSON6902
            else "".join(patch_stream(run, injector) for run in runs)
        )
        write_text(render(text, out.format_for(None)), out.output, out.policy)
        return
    written = [document_texts(run, injector, preserve) for run in runs]
    if view == DIFF:
        from sidecarctl.workflow.diff import diff_run

        write_text(
            "".join(diff_run(run, texts, color=_color(out)) for run, texts in zip(runs, written)),
            out.output,
            out.policy,
        )
        return
    if preserve:  # the text is final: a JSON document was kept as JSON, in its own layout
        out = out._replace(output_format=YAML)
    write([(run.source, join_documents(run, texts, preserve)) for run, texts in zip(runs, written)], out)


def document_texts(run: SourceRun, injector: Any, preserve: bool) -> list[str]:
    """Per document, what would be written (without the separator after it)."""
    if not preserve:
        return [document.body for document in run.documents]
    from sidecarctl.workflow.preserve import preserve_documents

    return preserve_documents(run, injector)


def join_documents(run: SourceRun, texts: list[str], preserve: bool) -> str:
    """istioctl ends every document with `---`; preserved formatting keeps the input's own separators."""
    if not preserve:
        return run.stream()
    from sidecarctl.workflow.preserve import in_source_line_endings

    joined = "".join(text + document.separator for text, document in zip(texts, run.documents))
    return in_source_line_endings(run.source.text, joined)


def _color(out: OutputOptions) -> bool:
    """Colour only for a terminal, and never with NO_COLOR set to anything but "" (no-color.org)."""
    return not out.output and sys.stdout is not None and sys.stdout.isatty() and not os.environ.get("NO_COLOR")


# Kept for callers and tests that used these names here before they moved to sidecarctl.workflow.
_native_sidecars = settings_mod.native_sidecars_mode
_revision = settings_mod.revision_name
open_cluster = settings_mod.open_cluster
load_settings = settings_mod.load_settings
