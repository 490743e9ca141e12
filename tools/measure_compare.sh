#!/usr/bin/env bash
# Measure `compare` on the historical family against 50 runs of historical.yaml alone (issue 13),
# and print the paired and unpaired 95 % intervals of the effect on Mali's deaths.
#   tools/measure_compare.sh OUT_DIR [WORKERS]
set -euo pipefail
out="${1:?give an output folder}"; workers="${2:-2}"; seeds=50  # as benchmarks/historical_50.yaml
py="${PYTHON:-python}"  # may hold several words (e.g. "nice -n 10 python"): left unquoted below
mkdir -p "$out"
clock() { date +%s.%N; }
t0=$(clock)
$py -m sahel_sim sweep benchmarks/historical_50.yaml --workers "$workers" --out "$out/historical_alone" --quiet >/dev/null
t1=$(clock)
$py -m sahel_sim compare scenarios/historical.yaml scenarios/minusma_stays.yaml \
    scenarios/withdrawal_gradual_2y.yaml scenarios/withdrawal_delayed_2025.yaml \
    --seeds "$seeds" --workers "$workers" --out "$out/compare" --quiet >/dev/null
t2=$(clock)
$py - "$out" "$t0" "$t1" "$t2" <<'PY'
import sys
import pandas as pd
out, t0, t1, t2 = sys.argv[1], *map(float, sys.argv[2:])
alone, both = t1 - t0, t2 - t1
print(f"historical alone: {alone:.1f} s; compare (4 scenarios): {both:.1f} s; ratio {both / alone:.2f}")
e = pd.read_csv(f"{out}/compare/effects.csv")
ml = e[(e["area"] == "ML") & (e["metric"] == "fatalities_total")]
for r in ml.itertuples():
    paired, unpaired = r.ci_high - r.ci_low, r.unpaired_ci_high - r.unpaired_ci_low
    print(
        f"{r.alternative}: Mali deaths {r.relative_change:+.1%} [{r.relative_ci_low:+.1%}, {r.relative_ci_high:+.1%}];"
        f" difference {r.difference:+.0f}, paired 95% interval [{r.ci_low:+.0f}, {r.ci_high:+.0f}] (width {paired:.0f}),"
        f" unpaired [{r.unpaired_ci_low:+.0f}, {r.unpaired_ci_high:+.0f}] (width {unpaired:.0f}):"
        f" {unpaired / paired:.1f}x narrower paired"
    )
PY
