#!/usr/bin/env bash
# bench-vs-beam.sh: run the same workloads on the BEAM (erl +S 1, one
# scheduler) and on otpsim, in one script run, and print figures and ratios.
#
# Usage: scripts/bench-vs-beam.sh [--quick] [--only ring|spawn|call|restart-storm]
#                                 [--reps N] [--no-build] [--otpsim PATH]
#                                 [--keep DIR]
#
#   --quick        small sizes, for a smoke run (targets are then indicative)
#   --only W       run one workload only (may be given several times)
#   --reps N       run each side N times and use the median (default 1)
#   --no-build     do not run `cargo build --release`
#   --otpsim PATH  otpsim binary (default target/release/otpsim)
#   --keep DIR     keep the raw JSON output and logs in DIR
#
# Ratios are otpsim/BEAM (higher is better for otpsim), except memory rows,
# where the ratio is BEAM/otpsim (so higher is still better for otpsim).
# An otpsim subcommand that fails or prints no JSON shows as "n/a".
# BEAM workloads: scripts/beam/otpsim_bench.erl (logger off; see that file).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
QUICK=0
REPS=1
BUILD=1
OTPSIM="$ROOT/target/release/otpsim"
KEEP=""
ONLY=()

usage() { sed -n '2,19p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

while [[ $# -gt 0 ]]; do
    case "$1" in
        --quick) QUICK=1 ;;
        --only)
            [[ $# -ge 2 ]] || { echo "--only needs an argument" >&2; exit 2; }
            case "$2" in
                ring|spawn|call|restart-storm) ONLY+=("$2") ;;
                restart_storm) ONLY+=("restart-storm") ;;
                *) echo "unknown workload: $2 (ring|spawn|call|restart-storm)" >&2; exit 2 ;;
            esac
            shift ;;
        --reps)
            [[ $# -ge 2 && "$2" =~ ^[1-9][0-9]*$ ]] || { echo "--reps needs a positive integer" >&2; exit 2; }
            REPS=$2; shift ;;
        --no-build) BUILD=0 ;;
        --otpsim) [[ $# -ge 2 ]] || { echo "--otpsim needs a path" >&2; exit 2; }; OTPSIM=$2; shift ;;
        --keep) [[ $# -ge 2 ]] || { echo "--keep needs a directory" >&2; exit 2; }; KEEP=$2; shift ;;
        -h|--help) usage; exit 0 ;;
        *) echo "unknown option: $1" >&2; usage >&2; exit 2 ;;
    esac
    shift
done

want() {
    [[ ${#ONLY[@]} -eq 0 ]] && return 0
    local w
    for w in "${ONLY[@]}"; do [[ "$w" == "$1" ]] && return 0; done
    return 1
}

# ------------------------------------------------------------------ sizes
if [[ $QUICK -eq 1 ]]; then
    RING_PROCS=100; RING_ROUNDS=100
    SPAWN_PROCS=10000; SPAWN_IDLE_SAMPLE=10000
    CALLS=10000
    STORM_121=1000; STORM_141=100
else
    RING_PROCS=1000; RING_ROUNDS=1000
    SPAWN_PROCS=1000000; SPAWN_IDLE_SAMPLE=100000
    CALLS=1000000
    STORM_121=10000; STORM_141=1000
fi

# ------------------------------------------------------------- work dirs
if [[ -n "$KEEP" ]]; then
    mkdir -p "$KEEP"; WORK=$(cd "$KEEP" && pwd)
else
    WORK=$(mktemp -d "${TMPDIR:-/tmp}/bench-vs-beam.XXXXXX")
    trap 'rm -rf "$WORK"' EXIT
fi
EBIN="$WORK/ebin"
mkdir -p "$EBIN"

# ------------------------------------------------------------ toolchains
if ! command -v erl >/dev/null 2>&1 || ! command -v erlc >/dev/null 2>&1; then
    echo "erl/erlc not found: installing erlang-base with apt-get" >&2
    SUDO=""
    [[ $(id -u) -ne 0 ]] && SUDO="sudo"
    $SUDO apt-get update >&2
    # erlang-base has no erlc on some releases; erlang-dev provides it there.
    $SUDO apt-get install -y erlang-base >&2
    command -v erlc >/dev/null 2>&1 || $SUDO apt-get install -y erlang-dev >&2
fi
erlc -o "$EBIN" "$ROOT/scripts/beam/otpsim_bench.erl"
OTP_RELEASE=$(erl -noshell -eval 'io:format("~s~n",[erlang:system_info(otp_release)]), halt().')
OTP_FULL=$(cat "$(erl -noshell -eval 'io:format("~s~n",[code:root_dir()]), halt().')/releases/$OTP_RELEASE/OTP_VERSION" 2>/dev/null || echo "$OTP_RELEASE")
ERTS_VSN=$(erl -noshell -eval 'io:format("~s~n",[erlang:system_info(version)]), halt().')

if [[ $BUILD -eq 1 ]]; then
    echo "building otpsim (cargo build --release)..." >&2
    if ! (cd "$ROOT" && cargo build --release) >"$WORK/cargo-build.log" 2>&1; then
        echo "WARNING: cargo build --release failed; otpsim figures will be n/a (log: $WORK/cargo-build.log)" >&2
        tail -n 20 "$WORK/cargo-build.log" >&2 || true
    fi
fi
OTPSIM_REV=$(cd "$ROOT" && git rev-parse --short HEAD 2>/dev/null || echo "uncommitted")

# --------------------------------------------------------------- helpers
# json_num KEY < json-line : prints the number for "KEY":NUMBER, or nothing.
json_num() {
    awk -v key="$1" '
        {
            pat = "\"" key "\"[ \t]*:[ \t]*-?[0-9][0-9.eE+-]*"
            if (match($0, pat)) {
                s = substr($0, RSTART, RLENGTH)
                sub(/^[^:]*:[ \t]*/, "", s)
                v = s
            }
        }
        END { if (v != "") print v }'
}

# median of the numbers on stdin (one per line); nothing if none.
median() {
    sort -g | awk '{ a[NR] = $1 } END {
        if (NR == 0) exit
        if (NR % 2) print a[(NR + 1) / 2]; else printf "%.6f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}

# beam_run TAG ARGS... : run one BEAM workload REPS times; the JSON lines go to
# $WORK/beam-TAG.json (one per repetition).
beam_run() {
    local tag=$1; shift
    local args="" a i line
    for a in "$@"; do args+="${args:+,}\"$a\""; done
    : >"$WORK/beam-$tag.json"
    for ((i = 1; i <= REPS; i++)); do
        echo "  BEAM   $tag ($i/$REPS)" >&2
        if line=$(ERL_CRASH_DUMP_SECONDS=0 erl +S 1 +P 2000000 -noshell -pa "$EBIN" \
                    -eval "otpsim_bench:main([$args])" -s init stop 2>>"$WORK/beam-$tag.log" \
                  | grep '^{"bench"' | tail -n 1); then
            echo "$line" >>"$WORK/beam-$tag.json"
        else
            echo "  BEAM   $tag failed (see $WORK/beam-$tag.log)" >&2
        fi
    done
}

# otpsim_run TAG ARGS... : same for otpsim; tolerates a missing binary or
# subcommand (then the file stays empty and the figures show as n/a).
otpsim_run() {
    local tag=$1; shift
    local i out
    : >"$WORK/otpsim-$tag.json"
    if [[ ! -x "$OTPSIM" ]]; then
        echo "  otpsim $tag: no binary at $OTPSIM" >&2
        return 0
    fi
    for ((i = 1; i <= REPS; i++)); do
        echo "  otpsim $tag ($i/$REPS)" >&2
        if out=$("$OTPSIM" "$@" 2>>"$WORK/otpsim-$tag.log"); then
            # Accept one-line or pretty-printed JSON: keep stdout from the
            # first "{" on, joined into one line.
            out=$(printf '%s\n' "$out" | sed -n '/{/,$p' | tr '\n' ' ')
            if [[ "$out" == *'{'*'}'* ]]; then
                echo "$out" >>"$WORK/otpsim-$tag.json"
            else
                echo "  otpsim $tag: no JSON output" >&2
                return 0
            fi
        else
            echo "  otpsim $tag: command failed or not implemented yet ($OTPSIM $*)" >&2
            return 0
        fi
    done
}

# fig SIDE TAG KEY : median of KEY over the repetitions, or empty.
fig() {
    local f="$WORK/$1-$2.json"
    [[ -s "$f" ]] || return 0
    while IFS= read -r l; do printf '%s\n' "$l" | json_num "$3"; done <"$f" | median
}

# human VALUE UNIT : 1234567 -> 1.23M ; bytes -> KiB/MiB/GiB.
human() {
    [[ -z "$1" ]] && { echo "n/a"; return; }
    awk -v v="$1" -v u="$2" 'BEGIN {
        if (u == "B") {
            if (v >= 1073741824) printf "%.2f GiB", v / 1073741824
            else if (v >= 1048576) printf "%.1f MiB", v / 1048576
            else if (v >= 1024) printf "%.2f KiB", v / 1024
            else printf "%d B", v
        } else {
            if (v >= 1e9) printf "%.2fG%s", v / 1e9, u
            else if (v >= 1e6) printf "%.2fM%s", v / 1e6, u
            else if (v >= 1e3) printf "%.1fk%s", v / 1e3, u
            else printf "%.1f%s", v, u
        }
    }'
}

ROWS=()
# row LABEL BEAM OTPSIM UNIT DIR TARGET_RATIO TARGET_TEXT [ABS_LIMIT]
#   DIR=up   : ratio = otpsim/BEAM (throughput)
#   DIR=down : ratio = BEAM/otpsim (memory)
#   TARGET_RATIO: verdict PASS if ratio >= it ("-" for none)
#   ABS_LIMIT: for DIR=down rows, verdict PASS if otpsim < ABS_LIMIT instead
row() {
    local label=$1 b=$2 o=$3 unit=$4 dir=$5 tr=$6 tt=$7 abs=${8:-}
    local ratio="n/a" verdict="n/a"
    if [[ -n "$b" && -n "$o" ]]; then
        ratio=$(awk -v b="$b" -v o="$o" -v d="$dir" 'BEGIN {
            if (d == "up") { if (b > 0) printf "%.2fx", o / b; else print "n/a" }
            else { if (o > 0) printf "%.2fx", b / o; else print "n/a" } }')
        if [[ -n "$abs" ]]; then
            verdict=$(awk -v o="$o" -v l="$abs" 'BEGIN { print (o < l) ? "PASS" : "FAIL" }')
        elif [[ "$tr" != "-" && "$ratio" != "n/a" ]]; then
            verdict=$(awk -v r="${ratio%x}" -v t="$tr" 'BEGIN { print (r >= t) ? "PASS" : "FAIL" }')
        fi
    fi
    [[ $QUICK -eq 1 && "$verdict" != "n/a" ]] && verdict="$verdict (quick)"
    ROWS+=("$label|$(human "$b" "$unit")|$(human "$o" "$unit")|$ratio|$tt|$verdict")
}

# ------------------------------------------------------------- workloads
echo "running (reps=$REPS, $([[ $QUICK -eq 1 ]] && echo quick || echo full) sizes)..." >&2

if want ring; then
    beam_run ring ring "$RING_PROCS" "$RING_ROUNDS"
    otpsim_run ring bench ring --procs "$RING_PROCS" --rounds "$RING_ROUNDS" --json
    row "ring ${RING_PROCS}x${RING_ROUNDS} (msgs/s)" \
        "$(fig beam ring messages_per_sec)" "$(fig otpsim ring messages_per_sec)" "/s" up 5 ">= 5x"
fi

if want spawn; then
    beam_run spawn spawn "$SPAWN_PROCS" "$SPAWN_PROCS" "$SPAWN_IDLE_SAMPLE"
    otpsim_run spawn bench spawn --procs "$SPAWN_PROCS" --json
    row "spawn+exit (spawns/s)" \
        "$(fig beam spawn spawns_per_sec)" "$(fig otpsim spawn spawns_per_sec)" "/s" up 3 ">= 3x"
    row "idle process (bytes)" \
        "$(fig beam spawn bytes_per_process)" "$(fig otpsim spawn bytes_per_process)" "B" down 2 \
        ">= 2x (otpsim <= 0.5x BEAM)"
    row "peak RSS, $SPAWN_PROCS idle procs" \
        "$(fig beam spawn peak_rss_bytes)" "$(fig otpsim spawn peak_rss_bytes)" "B" down - \
        "otpsim < 1 GiB @1M procs" 1073741824
fi

if want call; then
    beam_run call call "$CALLS"
    otpsim_run call bench call --calls "$CALLS" --json
    row "gen_server:call (calls/s)" \
        "$(fig beam call calls_per_sec)" "$(fig otpsim call calls_per_sec)" "/s" up 5 ">= 5x"
fi

if want restart-storm; then
    beam_run storm121 restart_storm "$STORM_121" one_for_one
    otpsim_run storm121 bench restart-storm --children "$STORM_121" --strategy one_for_one --json
    row "restart storm 1f1 x$STORM_121 (restarts/s)" \
        "$(fig beam storm121 restarts_per_sec)" "$(fig otpsim storm121 restarts_per_sec)" "/s" up 10 ">= 10x"
    beam_run storm141 restart_storm "$STORM_141" one_for_all
    otpsim_run storm141 bench restart-storm --children "$STORM_141" --strategy one_for_all --json
    row "restart storm 1fa x$STORM_141 (restarts/s)" \
        "$(fig beam storm141 restarts_per_sec)" "$(fig otpsim storm141 restarts_per_sec)" "/s" up 10 ">= 10x"
fi

# ----------------------------------------------------------------- table
echo
echo "BEAM: Erlang/OTP $OTP_FULL (erts $ERTS_VSN), erl +S 1 (one scheduler), logger off"
echo "otpsim: $OTPSIM (git $OTPSIM_REV)"
echo "host: $(nproc) cores, $(uname -sr), $(date -u +%Y-%m-%dT%H:%MZ), reps=$REPS (median)"
echo
{
    echo "workload|BEAM|otpsim|ratio|target|verdict"
    echo "--------|----|------|-----|------|-------"
    printf '%s\n' "${ROWS[@]}"
} | awk -F'|' '
    { for (i = 1; i <= NF; i++) { c[NR, i] = $i; if (length($i) > w[i]) w[i] = length($i) } n = NR; nf = NF }
    END {
        for (r = 1; r <= n; r++) {
            line = ""
            for (i = 1; i <= nf; i++) {
                cell = c[r, i]
                if (r == 2) { cell = ""; while (length(cell) < w[i]) cell = cell "-" }
                line = line sprintf(i < nf ? "%-" w[i] "s  " : "%s", cell)
            }
            print line
        }
    }'
echo
echo "ratios: otpsim/BEAM for rates; BEAM/otpsim for memory (higher = better for otpsim)"
[[ -n "$KEEP" ]] && echo "raw JSON and logs: $WORK"
exit 0
