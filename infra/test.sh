#!/usr/bin/env bash
# The project's test command: `bash infra/test.sh [extra cargo test args]`.
#
# 1. Creates .venv (git-ignored) if it is missing or its pins changed, with SAM, moto server,
#    cargo-lambda and email-validator (one venv: cargo-lambda finds zig through the first
#    python3 on PATH, and sam needs that same zig).
#    Installs Dovecot (dovecot-imapd) when it is missing: the real-mail tests start their own
#    Dovecot and aiosmtpd on 127.0.0.1 (cli/tests/real_mail.rs).
# 2. Starts moto server on a free 127.0.0.1 port and points the AWS SDKs at it.
# 3. Lints the SAM template (cfn-lint, sam validate --lint).
# 4. Checks that every declared dependency is used (cargo-machete, built once into .venv).
# 5. Installs Debian's chromium and chromium-driver when missing (the dashboard's browser
#    test, cli/tests/browser.rs, drives them; under CI=true it fails without them).
# 6. Runs `cargo test --workspace`, passing extra arguments through.
# Before all that, installs Debian's libsisimai-perl when Perl cannot load Sisimai (the
# reference bounce analyser the machine-mail test compares with).
# moto is stopped on exit, whatever happened (trap).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

# shellcheck source=infra/lib.sh
source "$ROOT/infra/lib.sh"
sqa_ensure_venv "$ROOT"
sqa_ensure_dovecot

# --- Sisimai, the reference bounce analyser for the side-by-side machine-mail test ---------
if ! perl -MSisimai -e 1 2>/dev/null; then
  echo "test.sh: installing libsisimai-perl"
  if [ "$(id -u)" = 0 ]; then
    apt-get install -y --no-install-recommends libsisimai-perl >/dev/null \
      || { apt-get update >/dev/null && apt-get install -y --no-install-recommends libsisimai-perl >/dev/null; }
  else
    sudo apt-get install -y --no-install-recommends libsisimai-perl >/dev/null
  fi
fi

# --- moto server ---------------------------------------------------------------------------
cleanup() {
  local status=$?
  sqa_stop_moto "$status"
  exit $status
}
trap cleanup EXIT
trap 'exit 130' INT TERM
sqa_start_moto

# --- template lint -------------------------------------------------------------------------
echo "test.sh: cfn-lint template.yaml"
cfn-lint template.yaml
echo "test.sh: sam validate --lint"
sam validate --lint -t template.yaml

# --- unused dependencies -------------------------------------------------------------------
sqa_ensure_machete "$ROOT"
echo "test.sh: cargo machete"
cargo machete

# --- a browser for the dashboard test -------------------------------------------------------
if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then
  echo "test.sh: installing chromium and chromium-driver (apt-get) for the browser test"
  SUDO=""
  if [[ "$(id -u)" != 0 ]]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
    chromium chromium-driver
fi

# --- tests ---------------------------------------------------------------------------------
cargo test --workspace "$@"
