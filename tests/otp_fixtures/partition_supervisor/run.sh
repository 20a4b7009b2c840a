#!/usr/bin/env bash
# Regenerate the PartitionSupervisor fixture (needs Elixir 1.14 on Erlang/OTP 25):
#   bash tests/otp_fixtures/partition_supervisor/run.sh
set -euo pipefail
DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
command -v elixir >/dev/null 2>&1 || { echo "elixir not found" >&2; exit 1; }
TMP=$(mktemp)
trap 'rm -f "$TMP"' EXIT
elixir "$DIR/psup_probe.exs" >"$TMP"
if grep -qv '^[^=]*=' "$TMP"; then
    echo "psup_probe printed something else than key=value lines:" >&2
    cat "$TMP" >&2
    exit 1
fi
mv "$TMP" "$DIR/psup_probe.out"
trap - EXIT
echo "psup_probe.out ($(wc -l <"$DIR/psup_probe.out") facts)" >&2
