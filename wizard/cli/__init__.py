"""The command line: `main` builds the parser; one module per command (verify, generate,
status), each with `add_parser` and `run`; `parsing` holds what they share."""

from wizard.cli.main import main

__all__ = ["main"]
