"""Performance benchmark of sahel_sim against a frozen copy of its ddf6643 engine (issue 18).

    python benchmarks/run.py [--quick] [--out DIR]      # same as: python -m sahel_sim bench

The logic lives in ``src/sahel_sim/bench/``; this file only makes it runnable from a source tree
without installing the package.
"""

from __future__ import annotations

import sys
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"
if SRC.is_dir() and str(SRC) not in sys.path:
    sys.path.insert(0, str(SRC))

from sahel_sim.bench import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
