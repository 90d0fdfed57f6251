"""Checking a domain as a device does, against real HTTPS servers on loopback."""
