#!/usr/bin/env bash
# One entry point for a fresh machine: find Python >= 3.12, make .venv, install, then act.
#   ./dev.sh run scenarios/baseline.yaml [options]   set up and run a scenario
#   ./dev.sh test [pytest args]                       set up and run the full test suite (CI)
#   ./dev.sh test --fast [pytest args]                the fast loop: no slow/crash/fuzz/browser/pattern tests
#   ./dev.sh setup                                    set up only
#   ./dev.sh <any sahel-sim subcommand> ...           e.g. ./dev.sh validate scenarios/*.yaml
# Set-up installs the package (editable) with every extra dev.sh uses, at the exact versions of
# requirements.lock, once: it is redone only when requirements.lock or pyproject.toml changes.
set -euo pipefail
cd "$(dirname "$0")"
VENV=.venv

have_312() { "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1; }

find_python() {
    local candidates=()
    [ -n "${SAHEL_PYTHON:-}" ] && candidates+=("$SAHEL_PYTHON")
    candidates+=(python3.13 python3.12 python3 python)
    if command -v pyenv >/dev/null 2>&1; then
        local root; root=$(pyenv root)
        for p in $(ls -d "$root"/versions/3.1[2-9]* "$root"/versions/3.[2-9][0-9]* 2>/dev/null | sort -rV); do
            candidates+=("$p/bin/python3")
        done
    fi
    for c in "${candidates[@]}"; do
        if command -v "$c" >/dev/null 2>&1 && have_312 "$c"; then command -v "$c"; return 0; fi
    done
    return 1
}

# Every extra dev.sh installs, for every command (geography is left out: see docs/DEVELOPING.md).
EXTRAS="viz,distributed,sensitivity,discovery,calibration,dev"
LOCK=requirements.lock

setup() {
    local stamp="$VENV/.sahel-installed"
    local want; want="$EXTRAS $(cat "$LOCK" pyproject.toml | sha256sum | cut -c1-16)"
    if [ -x "$VENV/bin/python" ] && have_312 "$VENV/bin/python" && [ -f "$stamp" ] \
        && grep -qxF -- "$want" "$stamp"; then
        return 0
    fi
    if ! [ -x "$VENV/bin/python" ] || ! have_312 "$VENV/bin/python"; then
        local py
        if ! py=$(find_python); then
            echo "error: sahel_sim needs Python 3.12 or newer (Mesa 3.5 requires it), and none was found." >&2
            echo "       Looked for: \$SAHEL_PYTHON, python3.13, python3.12, python3, python, and pyenv's versions." >&2
            echo "       Install one (e.g. 'pyenv install 3.12') or set SAHEL_PYTHON=/path/to/python3.12." >&2
            exit 1
        fi
        echo "setting up $VENV with $py ($("$py" --version 2>&1))" >&2
        rm -rf "$VENV"
        "$py" -m venv "$VENV"
    fi
    echo "installing sahel_sim[$EXTRAS] into $VENV at the versions of $LOCK ..." >&2
    "$VENV/bin/python" -m pip install --quiet --upgrade pip >/dev/null 2>&1 || true
    # The lock is a constraints file: it pins every package that pip installs here, and
    # installs nothing that the extras do not ask for.
    "$VENV/bin/python" -m pip install --quiet -c "$LOCK" -e ".[$EXTRAS]" >&2
    echo "$want" > "$stamp"
}

install_browser() {
    # Debian's Chromium for the browser tests; Playwright drives it (never downloads its own).
    if [ -x /usr/bin/chromium ]; then return 0; fi
    if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
        echo "installing Debian's chromium for the browser tests ..." >&2
        (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
            || echo "warning: could not install chromium; browser tests will be skipped" >&2
    else
        echo "warning: /usr/bin/chromium missing and cannot apt-get install it; browser tests will be skipped" >&2
    fi
}

cmd="${1:-run}"
[ $# -gt 0 ] && shift
case "$cmd" in
    setup)
        setup ;;
    test)
        setup
        install_browser
        # The console script (sahel-sim) and tools the tests call are found on PATH.
        export PATH="$PWD/$VENV/bin:$PATH"
        if [ "${1:-}" = "--fast" ]; then
            shift
            # Everything but the slow, kill/crash, fuzz, browser and pattern tests, on two workers;
            # a module stays on one worker, so its module-scoped fixtures are computed once.
            exec "$VENV/bin/python" -m pytest -m "not (slow or crash or fuzz or browser or patterns)" \
                -n 2 --dist loadscope "$@"
        fi
        exec "$VENV/bin/python" -m pytest "$@" ;;
    run)
        setup
        [ $# -eq 0 ] && set -- scenarios/baseline.yaml
        exec "$VENV/bin/python" -m sahel_sim run "$@" ;;
    *)
        setup
        exec "$VENV/bin/python" -m sahel_sim "$cmd" "$@" ;;
esac
