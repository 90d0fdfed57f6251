"""The layout of the code: layers, headless core, lazy imports; the README naming every
command."""
