"""Shared test helpers live beside this file (e.g. `cli_runner`); pytest puts this folder on sys.path."""
