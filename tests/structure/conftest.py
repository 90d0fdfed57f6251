"""The layout of the code: layers, headless core, lazy imports."""
