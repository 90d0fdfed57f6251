"""Artifact generators: for the platform an admin runs, the files and numbered steps that
publish the discovery URL, by Redirect or by Self-Host.

`prepare.prepare_setup` turns the admin's answers into a validated `model.Setup`;
`platforms.generate` turns a Setup into a `model.Plan` for one platform (the registry of
platforms is `platforms.PLATFORMS`); `output_folder.write_plan` saves a plan's files into a
folder and nowhere outside it. Nothing is imported here: the presets use `urls` and `model`,
and `verify` must not pay for the generators.
"""
