#!/usr/bin/env bash
# Regenerate the gen_server fixtures of this directory (see ../kernel/run.sh; the
# probes include ../kernel/probe.hrl).
#
#   bash tests/otp_fixtures/gen_server/run.sh [NAME...]
set -euo pipefail
PROBE_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd) exec bash "$(dirname "${BASH_SOURCE[0]}")/../kernel/run.sh" "$@"
