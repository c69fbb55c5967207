"""The ``pbc`` command line: one subcommand per module."""
