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


# --- kubectl's plugin completion ------------------------------------------------------------------
#
# kubectl (1.26 and later) completes `kubectl sidecar ...` by running the executable
# `kubectl_complete-sidecar` found on PATH with the words after `sidecar`, the last one being the
# word under completion (possibly ""), and reads cobra's `__complete` answer: one candidate per
# line (`value<TAB>description`), then `:<directive>`, a bit set telling the shell what to do
# when the candidates run out.

DIRECTIVE_DEFAULT = 0  # the shell may complete file names
DIRECTIVE_NO_FILE = 4  # ShellCompDirectiveNoFileComp
DIRECTIVE_DIRS = 16  # ShellCompDirectiveFilterDirs


def cobra_completions(args: list[str]) -> str:
    """The cobra `__complete` answer for `kubectl sidecar ARGS...` (ARGS[-1]: the word completed)."""
    from click.shell_completion import ShellComplete

    from sidecarctl.cli import cli

    words, incomplete = (args[:-1], args[-1]) if args else ([], "")
    items = ShellComplete(cli, {}, "kubectl sidecar", COMPLETE_VAR).get_completions(words, incomplete)
    kinds = {item.type for item in items}
    plain = [item for item in items if item.type == "plain"]
    # No candidate (a file argument, or a value click cannot list): the shell completes file names.
    directive = (
        DIRECTIVE_DEFAULT if "file" in kinds or not items else DIRECTIVE_DIRS if "dir" in kinds else DIRECTIVE_NO_FILE
    )
    lines = [f"{item.value}\t{_first_line(item.help)}" if item.help else str(item.value) for item in plain]
    return "".join(line + "\n" for line in lines) + f":{directive}\n"


def _first_line(text: str) -> str:
    return " ".join(text.split("\n", 1)[0].split())


def kubectl_complete() -> None:
    """The `kubectl_complete-sidecar` console script: kubectl's plugin completion asks it."""
    import sys

    try:
        sys.stdout.write(cobra_completions(sys.argv[1:]))
        sys.stdout.flush()
    except Exception as err:  # completion must never print a traceback into the user's shell
        sys.stderr.write(f"kubectl_complete-sidecar: {type(err).__name__}: {err}\n")
        sys.stdout.write(":1\n")  # ShellCompDirectiveError
        sys.stdout.flush()
