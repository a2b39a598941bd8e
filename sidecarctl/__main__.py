from sidecarctl.cli import run

run()
