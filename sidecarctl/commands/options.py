"""Click options shared by several commands, over the engine's registries."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import click

from sidecarctl.inject.workloads import register_pod_template_paths, restore_pod_template_paths

F = TypeVar("F", bound=Callable[..., object])


def pod_template_path_option(func: F) -> F:
    """The `--pod-template-path KIND=PATH` click option (repeatable) for any command: it registers
    the kinds while the command line is parsed (starting from the defaults, so in-process runs do
    not accumulate), and passes nothing to the command."""

    def register(ctx: click.Context, param: click.Parameter, specs: tuple[str, ...]) -> None:
        restore_pod_template_paths()
        register_pod_template_paths(specs)

    return click.option(
        "--pod-template-path",
        "pod_template_paths",
        metavar="KIND=PATH",
        multiple=True,
        expose_value=False,
        callback=register,
        help="Inject custom kind KIND, whose pod template is at dotted PATH "
        "(e.g. MyCRD=spec.workload.template); repeatable. "
        "Rollout=spec.template is built in.",
    )(func)
