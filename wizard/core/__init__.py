"""The headless core: no module in this package may import textual.

Everything the command line and the TUI do with domains, discovery documents,
verification, artifacts and saved progress lives here, so it can be tested and
scripted without a terminal UI.
"""
