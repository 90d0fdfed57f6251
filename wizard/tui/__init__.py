"""The Textual wizard. Only this package imports textual; the core never does."""
