from sidecarctl.cli import main

main()
