"""Keeping watch: every saved setup at once, and the outputs monitoring systems read."""
