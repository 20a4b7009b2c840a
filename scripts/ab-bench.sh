#!/usr/bin/env bash
# Compares two otpsim release binaries on the call and one_for_all storm benchmarks,
# alternating runs so that drifts of the machine hit both alike; prints medians.
# Usage: scripts/ab-bench.sh OLD_BINARY NEW_BINARY [RUNS_EACH, default 9]
set -euo pipefail
[[ $# -ge 2 ]] || { echo "usage: $0 OLD_BINARY NEW_BINARY [RUNS_EACH]" >&2; exit 2; }
old=$1 new=$2 runs=${3:-9}
[[ "$runs" =~ ^[1-9][0-9]*$ ]] || { echo "RUNS_EACH must be a positive integer" >&2; exit 2; }
for b in "$old" "$new"; do [[ -x "$b" ]] || { echo "not an executable: $b" >&2; exit 2; }; done

field() { sed -n "s/.*\"$1\":\\([0-9]*\\).*/\\1/p"; }
call() { "$1" bench call --calls 1000000 --json | field calls_per_sec; }
storm() { "$1" bench restart-storm --children 1000 --strategy one_for_all --json | field restarts_per_sec; }
median() { printf '%s\n' "$@" | sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }

co=(); cn=(); so=(); sn=()
for _ in $(seq "$runs"); do
    co+=("$(call "$old")"); cn+=("$(call "$new")")
    so+=("$(storm "$old")"); sn+=("$(storm "$new")")
done
echo "calls/s            old $(median "${co[@]}")  new $(median "${cn[@]}")"
echo "one_for_all x1000  old $(median "${so[@]}")  new $(median "${sn[@]}")"
