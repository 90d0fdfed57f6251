"""Keeping watch: outputs for monitoring systems, messages on a change, running by itself."""
