"""Digest the outputs of every shipped scenario, to show a change leaves behaviour byte-identical.

    python tools/output_digests.py                 # print the digests
    python tools/output_digests.py --write FILE    # record them
    python tools/output_digests.py --check FILE    # exit 1 if any differs from the record

Each shipped scenario (``scenarios/*.yaml``) is run in memory with its own seed; the digest is the
SHA-256 of its weekly table, event log (both as CSV) and summary (as sorted JSON). A change meant to
alter behaviour re-records the file in the same commit and says why.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def digest(path: Path) -> str:
    """SHA-256 over the tables and summary of one run of ``path`` with its own seed."""
    from sahel_sim.runs.runner import simulate
    from sahel_sim.scenario.loading import load_scenario

    out = simulate(load_scenario(path))
    h = hashlib.sha256()
    h.update(out.timeseries.to_csv(index=False).encode())
    h.update(out.events.to_csv(index=False).encode())
    h.update(json.dumps(out.summary, sort_keys=True).encode())
    return h.hexdigest()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", type=Path)
    parser.add_argument("--check", type=Path)
    args = parser.parse_args()
    digests = {p.name: digest(p) for p in sorted((ROOT / "scenarios").glob("*.yaml"))}
    for name, d in digests.items():
        print(f"{d[:16]}  {name}")
    if args.write:
        args.write.write_text(json.dumps(digests, indent=2, sort_keys=True) + "\n")
    if args.check:
        recorded = json.loads(args.check.read_text())
        changed = sorted(k for k in recorded.keys() | digests.keys() if recorded.get(k) != digests.get(k))
        if changed:
            print("differ from the record: " + ", ".join(changed), file=sys.stderr)
            return 1
        print("all identical to the record")
    return 0


if __name__ == "__main__":
    sys.exit(main())
