"""`sidecarctl completion bash|zsh|fish`: click's completion script for the shell.

Source it (`source <(sidecarctl completion bash)`); the script calls the program back with
`_SIDECARCTL_COMPLETE=<shell>_complete`, which click's main handles before running any command.
"""

from __future__ import annotations

import click

from sidecarctl.workflow.progname import COMPLETE_VAR, DEFAULT_NAME, ProgramCommand

SHELLS = ("bash", "zsh", "fish")


@click.command("completion", cls=ProgramCommand, context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("shell", type=click.Choice(SHELLS))
@click.pass_context
def completion(ctx: click.Context, shell: str) -> None:
    """Print the shell completion script for SHELL (bash, zsh or fish).

    \b
    bash:  source <(sidecarctl completion bash)       # or add it to ~/.bashrc
    zsh:   source <(sidecarctl completion zsh)        # after compinit
    fish:  sidecarctl completion fish > ~/.config/fish/completions/sidecarctl.fish
    """
    from click.shell_completion import get_completion_class

    cls = get_completion_class(shell)
    assert cls is not None  # the Choice above only lets click's own shells through
    root = ctx.find_root().command
    # The completed program is the sidecarctl executable, whatever name the root context shows.
    click.echo(cls(root, {}, DEFAULT_NAME, COMPLETE_VAR).source())
