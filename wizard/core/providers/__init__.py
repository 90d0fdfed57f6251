"""The MDMs known by name: their facts as data (`presets`) and what they mean for a
document, a redirect and the admin's answers (`checks`)."""
