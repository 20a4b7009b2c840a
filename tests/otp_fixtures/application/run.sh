#!/usr/bin/env bash
# Regenerate the application fixtures (needs Erlang/OTP 25):
#   bash tests/otp_fixtures/application/run.sh [RUN...]
# Each run of app_probe.erl writes RUN.out: the facts the run printed, then
# events=[..] (what the callbacks logged, read back after the node stopped),
# exit_code=N and, when the node halted, halt_reason=Term from the "Kernel pid
# terminated" line.
set -euo pipefail
DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
for tool in erl erlc; do
    command -v "$tool" >/dev/null 2>&1 || { echo "$tool not found (Erlang/OTP 25 is needed)" >&2; exit 1; }
done
TMP=$(mktemp -d "${TMPDIR:-/tmp}/otp-app-probes.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
erlc -o "$TMP" "$DIR/app_probe.erl"
RUNS=("$@")
[[ ${#RUNS[@]} -gt 0 ]] || RUNS=(main halt_start_permanent halt_start_transient halt_transient halt_permanent halt_intensity init_stop)
for run in "${RUNS[@]}"; do
    export PROBE_LOG="$TMP/$run.log"
    set +e
    (cd "$TMP" && ERL_CRASH_DUMP_SECONDS=0 erl +S 1 -noshell -pa "$TMP" \
        -eval "app_probe:main($run)" -s init stop >"$TMP/$run.facts" 2>"$TMP/$run.err")
    code=$?
    set -e
    {
        # The node's last words go to stdout too: keep the facts only.
        grep '^[a-z0-9_]*=' "$TMP/$run.facts" || true
        erl -noshell -pa "$TMP" -eval "app_probe:report()" -s init stop
        echo "exit_code=$code"
        tr -d '\r' <"$TMP/$run.err" | sed -n 's/^Kernel pid terminated (application_controller) (\(.*\))$/halt_reason=\1/p' | head -1
    } >"$TMP/$run.out"
    if grep -qv '^[^=]*=' "$TMP/$run.out"; then
        echo "  $run FAILED; output:" >&2
        cat "$TMP/$run.out" "$TMP/$run.err" >&2
        exit 1
    fi
    mv "$TMP/$run.out" "$DIR/$run.out"
    echo "  $run.out ($(wc -l <"$DIR/$run.out") facts)" >&2
done
