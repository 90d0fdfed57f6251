"""The MDM presets: inputs, documents and redirects judged, MDMs recognised."""
