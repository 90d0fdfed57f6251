"""Verification: checking a domain's discovery URL exactly as an Apple device requests it."""
