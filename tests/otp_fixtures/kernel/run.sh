#!/usr/bin/env bash
# Regenerate the kernel OTP fixtures: compile every probe NAME.erl in this
# directory and write its facts to NAME.out (key=value lines).
#
#   bash tests/otp_fixtures/kernel/run.sh [NAME...]
#   bash tests/otp_fixtures/gen_server/run.sh [NAME...]   (PROBE_DIR: that directory)
#
# Probes run on one scheduler (erl +S 1), not distributed (node() is
# nonode@nohost). Installs erlang-base with apt-get if erl is missing.
set -euo pipefail

KERNEL_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# Another directory of Erlang probes reuses this script and probe.hrl.
DIR=${PROBE_DIR:-$KERNEL_DIR}

if ! command -v erl >/dev/null 2>&1 || ! command -v erlc >/dev/null 2>&1; then
    echo "erl/erlc not found: installing erlang-base with apt-get" >&2
    SUDO=""
    [[ $(id -u) -ne 0 ]] && SUDO="sudo"
    $SUDO apt-get update >&2
    $SUDO apt-get install -y erlang-base >&2
fi

EBIN=$(mktemp -d "${TMPDIR:-/tmp}/otp-kernel-probes.XXXXXX")
trap 'rm -rf "$EBIN"' EXIT

if [[ $# -gt 0 ]]; then
    NAMES=("$@")
else
    NAMES=()
    for f in "$DIR"/*.erl; do NAMES+=("$(basename "$f" .erl)"); done
fi

OTP=$(erl -noshell -eval 'io:format("~s~n",[erlang:system_info(otp_release)]), halt().')
echo "OTP $OTP: ${#NAMES[@]} probe(s)" >&2

status=0
for name in "${NAMES[@]}"; do
    name=${name%.erl}
    erlc -I "$DIR" -I "$KERNEL_DIR" -o "$EBIN" "$DIR/$name.erl"
    if ERL_CRASH_DUMP_SECONDS=0 erl +S 1 -noshell -pa "$EBIN" \
            -eval "$name:main()" -s init stop >"$EBIN/$name.out" 2>"$EBIN/$name.err" \
       && [[ -s "$EBIN/$name.out" ]] && ! grep -qv '^[^=]*=' "$EBIN/$name.out"; then
        mv "$EBIN/$name.out" "$DIR/$name.out"
        echo "  $name.out ($(wc -l <"$DIR/$name.out") facts)" >&2
    else
        echo "  $name FAILED; output:" >&2
        cat "$EBIN/$name.out" "$EBIN/$name.err" >&2
        status=1
    fi
done
exit $status
