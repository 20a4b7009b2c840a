#!/usr/bin/env bash
# Regenerate the Elixir fixtures of this directory (see ../task/run.sh).
#
#   bash tests/otp_fixtures/agent/run.sh [NAME...]
set -euo pipefail
PROBE_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd) exec bash "$(dirname "${BASH_SOURCE[0]}")/../task/run.sh" "$@"
