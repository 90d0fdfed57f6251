"""adue-wizard: set up and troubleshoot Apple account-driven user enrollment."""

__version__ = "0.1.0"
