#!/usr/bin/env bash
# Regenerate the registry OTP fixtures: run every probe NAME.exs in this directory
# (probe.exs is the shared helper module) and write its facts to NAME.out.
#
#   bash tests/otp_fixtures/registry/run.sh [NAME...]
#
# Probes run on one scheduler (elixir --erl "+S 1"). A .out file is replaced only
# when the probe succeeded and printed nothing but key=value lines.
set -euo pipefail

DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
command -v elixir >/dev/null 2>&1 || { echo "elixir not found" >&2; exit 1; }

if [[ $# -gt 0 ]]; then
    NAMES=("$@")
else
    NAMES=()
    for f in "$DIR"/*.exs; do
        name=$(basename "$f" .exs)
        [[ $name == probe ]] || NAMES+=("$name")
    done
fi

TMP=$(mktemp -d "${TMPDIR:-/tmp}/otp-registry-probes.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
echo "$(elixir --version | tail -1): ${#NAMES[@]} probe(s)" >&2

status=0
for name in "${NAMES[@]}"; do
    name=${name%.exs}
    if elixir --erl "+S 1" "$DIR/$name.exs" >"$TMP/$name.out" 2>"$TMP/$name.err" \
       && [[ -s "$TMP/$name.out" ]] && ! grep -qv '^[^=]*=' "$TMP/$name.out"; then
        mv "$TMP/$name.out" "$DIR/$name.out"
        echo "  $name.out ($(wc -l <"$DIR/$name.out") facts)" >&2
    else
        echo "  $name FAILED; output:" >&2
        cat "$TMP/$name.out" "$TMP/$name.err" >&2
        status=1
    fi
done
exit $status
