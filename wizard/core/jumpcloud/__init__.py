"""JumpCloud's side, read (and, for linking accounts, written) through its public API."""
