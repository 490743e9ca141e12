"""Allow ``python -m sahel_sim``."""

from sahel_sim.cli.main import main

if __name__ == "__main__":
    raise SystemExit(main())
