#!/usr/bin/env bash
# Regenerate the supervisor OTP fixtures: every probe NAME.erl (Erlang, compiled with
# erlc) or NAME.exs (Elixir) in this directory writes its facts to NAME.out
# (key=value lines).
#
#   bash tests/otp_fixtures/supervisor_probes/run.sh [NAME...]
#
# Erlang probes run on one scheduler (erl +S 1). A .out file is replaced only if the
# probe succeeded and printed nothing but key=value lines.
set -euo pipefail

DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
for tool in erl erlc elixir; do
    command -v "$tool" >/dev/null 2>&1 || { echo "$tool not found (Erlang/OTP 25 and Elixir 1.14 are needed)" >&2; exit 1; }
done

TMP=$(mktemp -d "${TMPDIR:-/tmp}/otp-supervisor-probes.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

if [[ $# -gt 0 ]]; then
    NAMES=("$@")
else
    NAMES=()
    for f in "$DIR"/*.erl "$DIR"/*.exs; do NAMES+=("$(basename "$f")"); done
fi

status=0
for name in "${NAMES[@]}"; do
    base=${name%.*}
    if [[ -f "$DIR/$base.erl" ]]; then
        erlc -o "$TMP" "$DIR/$base.erl"
        cmd=(erl +S 1 -noshell -pa "$TMP" -eval "$base:main()" -s init stop)
    else
        cmd=(elixir "$DIR/$base.exs")
    fi
    if ERL_CRASH_DUMP_SECONDS=0 "${cmd[@]}" >"$TMP/$base.out" 2>"$TMP/$base.err" \
       && [[ -s "$TMP/$base.out" ]] && ! grep -qv '^[^=]*=' "$TMP/$base.out"; then
        mv "$TMP/$base.out" "$DIR/$base.out"
        echo "  $base.out ($(wc -l <"$DIR/$base.out") facts)" >&2
    else
        echo "  $base FAILED; output:" >&2
        cat "$TMP/$base.out" "$TMP/$base.err" >&2
        status=1
    fi
done
exit $status
