"""Allow ``python -m sahel_sim``."""

from sahel_sim.cli.main import entry

if __name__ == "__main__":
    entry()
