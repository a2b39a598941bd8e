"""Workflows around injection that istioctl lacks, as reusable pieces for every command.

    inputs      -f (repeatable, directories with -R), stdin when piped; `input_options` decorator
    outputs     stdout / -o / --in-place, --output-format yaml|json; `output_options`
    files       writing files: -o through devices and pipes, atomic replacement, the --in-place
                transaction (mode, owner and group kept; hard links and read-only files refused)
    spool       kube-inject's streamed plain output (memory up to 1 MiB, then an unnamed temp file)
    summary     the count line on stderr (a line per workload with -v; -q to silence)
    progress    a workload counter on stderr when it is a terminal and the run is long
    documents   input/output document pairs (separators kept) for the views below
    diff        --diff: unified diff per changed document
    patch       --patch: per workload, a patch kustomize applies as injection did (strategic or JSON 6902)
    preserve    --preserve-formatting: comments, key order and quoting kept (ruamel.yaml, imported lazily)
    settings    istioctl's settings flags (+ SIDECARCTL_* variables) and resolving them
    progname    `kubectl sidecar` as the program name when run as the kubectl plugin

A command composes them (see commands/kube_inject.py):

    @click.command("x", cls=ProgramCommand)
    @input_options            # filenames, recursive
    @output_options           # out: OutputOptions (-o, --output-format, --in-place, -q, --force, ...)
    @settings_options         # SettingsSource fields; SettingsSource(**pick(kwargs))
    def x(filenames, recursive, out, **kwargs):
        sources = collect_sources(filenames, recursive)   # all read before anything is processed
        out.check(sources)                                 # usage errors (exit 2)
        ...                                                # build every result
        write([(source, yaml_stream), ...], out)           # then write: stdout, -o or in place
"""
