"""Linking Managed Apple Accounts to directory users: plan, apply, resume, undo."""
