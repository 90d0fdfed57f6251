"""The wizard, driven with the keyboard (Pilot) and compared with snapshots."""
