"""Saved setups and their history: files, the database, concurrency and damage."""
