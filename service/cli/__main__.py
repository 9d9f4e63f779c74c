"""`python -m service.cli ...` runs the `folio` command."""

from service.cli.commands import main

raise SystemExit(main())
