#!/usr/bin/env bash
# Regenerate the supervision conformance fixtures: run every scenario
# tests/conformance/scenarios/NAME.json on real OTP and write what it observed to
# tests/conformance/expected/NAME.json.
#
#   bash tests/otp_fixtures/supervision/run.sh [NAME...]
#
# Each scenario runs in its own node (erl +S 1 -noshell: one scheduler, so that
# messages the recorder gets from different processes arrive in causal order).
# An expected file is replaced only if the run succeeded. Installs erlang-base with
# apt-get if erl is missing (and elixir, whose DynamicSupervisor some scenarios
# use). Set RUNS=N to run each scenario N times and fail if
# the outputs differ (a check that the scenario is not timing-sensitive).
set -euo pipefail

DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$DIR/../../.." && pwd)
SCEN="$ROOT/tests/conformance/scenarios"
EXP="$ROOT/tests/conformance/expected"
RUNS=${RUNS:-1}

if ! command -v erl >/dev/null 2>&1 || ! command -v erlc >/dev/null 2>&1; then
    echo "erl/erlc not found: installing erlang-base with apt-get" >&2
    SUDO=""
    [[ $(id -u) -ne 0 ]] && SUDO="sudo"
    $SUDO apt-get update >&2
    $SUDO apt-get install -y erlang-base >&2
fi

# The DynamicSupervisor scenarios run Elixir's real DynamicSupervisor from Erlang.
if ! command -v elixir >/dev/null 2>&1; then
    echo "elixir not found: installing elixir with apt-get" >&2
    SUDO=""
    [[ $(id -u) -ne 0 ]] && SUDO="sudo"
    $SUDO apt-get update >&2
    $SUDO apt-get install -y elixir >&2
fi
ELIXIR_EBIN="$(elixir -e 'IO.puts(:code.lib_dir(:elixir))')/ebin"

EBIN=$(mktemp -d "${TMPDIR:-/tmp}/otp-sup-conf.XXXXXX")
trap 'rm -rf "$EBIN"' EXIT
erlc -o "$EBIN" "$DIR"/*.erl
mkdir -p "$EXP"

if [[ $# -gt 0 ]]; then
    NAMES=("$@")
else
    NAMES=()
    for f in "$SCEN"/*.json; do NAMES+=("$(basename "$f" .json)"); done
fi

OTP=$(erl -noshell -eval 'io:format("~s~n",[erlang:system_info(otp_release)]), halt().')
echo "OTP $OTP: ${#NAMES[@]} scenario(s), $RUNS run(s) each" >&2

status=0
for name in "${NAMES[@]}"; do
    name=${name%.json}
    ok=1
    for run in $(seq 1 "$RUNS"); do
        out="$EBIN/$name.$run.json"
        if ! ERL_CRASH_DUMP_SECONDS=0 erl +S 1 -noshell -pa "$EBIN" "$ELIXIR_EBIN" \
                -eval "conf_run:main([\"$SCEN/$name.json\", \"$out\"])" \
                >"$EBIN/$name.log" 2>&1 || [[ ! -s "$out" ]]; then
            echo "  $name FAILED (run $run):" >&2
            cat "$EBIN/$name.log" >&2
            ok=0
            break
        fi
        if [[ $run -gt 1 ]] && ! cmp -s "$EBIN/$name.1.json" "$out"; then
            echo "  $name DIFFERS between run 1 and run $run:" >&2
            diff "$EBIN/$name.1.json" "$out" >&2 || true
            ok=0
            break
        fi
    done
    if [[ $ok -eq 1 ]]; then
        mv "$EBIN/$name.1.json" "$EXP/$name.json"
        echo "  $name" >&2
    else
        status=1
    fi
done
exit $status
