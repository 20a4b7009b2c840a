#!/usr/bin/env bash
# Regenerate the Elixir fixtures of this directory: run every probe NAME.exs and
# write its facts to NAME.out (key=value lines). Used for tests/otp_fixtures/task
# and tests/otp_fixtures/agent (bash run.sh in either directory, or pass names).
#
#   bash tests/otp_fixtures/task/run.sh [NAME...]
#   bash tests/otp_fixtures/agent/run.sh [NAME...]
set -euo pipefail

DIR=${PROBE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)}
command -v elixir >/dev/null 2>&1 || { echo "elixir not found (apt-get install elixir)" >&2; exit 1; }

if [[ $# -gt 0 ]]; then
    NAMES=("$@")
else
    NAMES=()
    for f in "$DIR"/*.exs; do
        n=$(basename "$f" .exs)
        [[ $n == probe_helpers ]] || NAMES+=("$n")
    done
fi

OUT=$(mktemp -d "${TMPDIR:-/tmp}/otp-elixir-probes.XXXXXX")
trap 'rm -rf "$OUT"' EXIT
echo "$(elixir --version | tail -1): ${#NAMES[@]} probe(s)" >&2

status=0
for name in "${NAMES[@]}"; do
    name=${name%.exs}
    if ERL_FLAGS="+S 1" elixir "$DIR/$name.exs" >"$OUT/$name.out" 2>"$OUT/$name.err" \
       && [[ -s "$OUT/$name.out" ]] && ! grep -qv '^[^=]*=' "$OUT/$name.out"; then
        mv "$OUT/$name.out" "$DIR/$name.out"
        echo "  $name.out ($(wc -l <"$DIR/$name.out") facts)" >&2
    else
        echo "  $name FAILED; output:" >&2
        cat "$OUT/$name.out" "$OUT/$name.err" >&2
        status=1
    fi
done
exit $status
