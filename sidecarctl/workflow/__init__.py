"""Workflows around injection that istioctl lacks, as reusable pieces for every command.

    inputs      -f (repeatable, directories with -R), stdin when piped; `input_options` decorator
    outputs     stdout / -o / --in-place, --output-format yaml|json, atomic writes; `output_options`
    summary     the per-workload report on stderr (-q to silence)
    progress    a `\\r` counter on stderr when it is a terminal
    documents   input/output document pairs (separators kept) for the views below
    diff        --diff: unified diff per changed document
    patch       --patch: the strategic-merge patch injection applies, per workload
    preserve    --preserve-formatting: comments, key order and quoting kept (ruamel.yaml, imported lazily)
"""
