"""`python -m wizard` is the same as the `adue-wizard` command."""

from wizard.cli import main

raise SystemExit(main())
