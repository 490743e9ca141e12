"""Allow ``python -m sahel_sim``."""

from sahel_sim.cli import main

raise SystemExit(main())
