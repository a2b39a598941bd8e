"""The `sidecarctl` command line: a click group whose commands live in `sidecarctl.commands`.

Commands are imported lazily so that `sidecarctl kube-inject` never pays for the webhook's or the
cluster client's imports.
"""

from __future__ import annotations

import importlib
import sys
from typing import Any

import click

from sidecarctl import __version__
from sidecarctl.errors import SidecarError

# command name -> (module under sidecarctl.commands, attribute, one-line help)
COMMANDS: dict[str, tuple[str, str, str]] = {
    "template": ("template", "template_group", "Render Go templates as Istio's injector does."),
    "kube-inject": ("kube_inject", "kube_inject", "Inject the Istio sidecar into Kubernetes manifests."),
    "webhook": ("webhook", "webhook_group", "Run or install the automatic-injection admission webhook."),
    "uninject": ("uninject", "uninject", "Remove what injection added to Kubernetes manifests."),
    "check": ("check", "check", "Explain whether each workload or pod would be injected, and why."),
    "krm-fn": ("krm_fn", "krm_fn", "Run as a kustomize KRM function (ResourceList in, ResourceList out)."),
    "completion": ("completion", "completion", "Print a shell completion script (bash, zsh, fish)."),
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        module, attr, _ = COMMANDS[name]
        return getattr(importlib.import_module(f"sidecarctl.commands.{module}"), attr)  # type: ignore[no-any-return]

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, COMMANDS[name][2]) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="sidecarctl")
@click.option("--debug", is_flag=True, help="Show a Python traceback on errors (for bug reports).")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """Inject the Istio sidecar into Kubernetes workloads, exactly as istioctl does."""
    ctx.obj = {"debug": debug}


def main(argv: list[str] | None = None) -> Any:
    debug = "--debug" in (argv if argv is not None else sys.argv[1:])
    try:
        return cli.main(args=argv, prog_name="sidecarctl", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(1)
    except click.ClickException as e:
        e.show()
        sys.exit(e.exit_code)
    except SidecarError as e:
        if debug:
            raise
        click.echo(f"Error: {e}", err=True)
        sys.exit(e.exit_code)
    except BrokenPipeError:
        sys.exit(1)
