"""Saved setups: the admin's answers, their storage, and what they mean for the other parts."""
