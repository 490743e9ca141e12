#!/usr/bin/env bash
# Regenerate requirements.lock from pyproject.toml: one universal lock (Linux, macOS, Windows;
# Python 3.12 and 3.13) covering the core dependencies and every extra, resolved by uv.
# Versions already in the lock are kept unless they no longer satisfy pyproject.toml; to move a
# package on, pass it:   tools/lock.sh --upgrade-package numpy     (or --upgrade for all).
# See docs/DEVELOPING.md.
set -euo pipefail
cd "$(dirname "$0")/.."
UV="${UV:-$(command -v uv || echo .venv/bin/uv)}"
exec "$UV" pip compile pyproject.toml --all-extras --universal --python-version 3.12 \
    --output-file requirements.lock --custom-compile-command "tools/lock.sh" --quiet "$@"
