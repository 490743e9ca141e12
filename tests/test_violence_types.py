"""tools/violence_types.py sorts the model's events into UCDP's three types of violence."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))

import violence_types  # noqa: E402


def test_each_kind_of_event_gets_ucdps_type_of_violence():
    events = pd.DataFrame(
        [
            ("engagement", "JNIM"),  # the army engages a band: state-based, civilian collateral included
            ("attack", "army"),
            ("attack", "peacekeepers"),
            ("ied", "peacekeepers"),
            ("clash", "IS Sahel"),  # armed groups against each other
            ("attack", "civilians"),
            ("attack", "diplomatic"),
        ],
        columns=["kind", "target"],
    )
    assert violence_types.kind_of(events).tolist() == [
        "state_based",
        "state_based",
        "state_based",
        "state_based",
        "non_state",
        "one_sided",
        "one_sided",
    ]
