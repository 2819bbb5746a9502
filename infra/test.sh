#!/usr/bin/env bash
# The project's test command: `bash infra/test.sh [extra cargo test args]`.
#
# 1. Creates .venv (git-ignored) if it is missing or its pins changed, with SAM, moto server,
#    cargo-lambda and email-validator (one venv: cargo-lambda finds zig through the first
#    python3 on PATH, and sam needs that same zig).
# 2. Starts moto server on a free 127.0.0.1 port and points the AWS SDKs at it.
# 3. Lints the SAM template (cfn-lint, sam validate --lint).
# 4. Runs `cargo test --workspace`, passing extra arguments through.
# moto is stopped on exit, whatever happened (trap).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

VENV="$ROOT/.venv"
# Pinned: these versions were checked together on rustc 1.95 / Python 3.11 (TOOLCHAIN.md).
# SAM comes first in the list: installed after moto it would downgrade boto3/click/pydantic.
REQUIREMENTS=(
  "aws-sam-cli==1.170.0"
  "moto[server]>=5,<6"
  "cargo-lambda==1.9.2"
  "email-validator>=2.2,<3"
  # The differential address test compares with email-validator's IDNA checks: pin them.
  "idna==3.20"
)
STAMP="$VENV/.sqa-requirements"
WANT="${REQUIREMENTS[*]}"

if [[ ! -x "$VENV/bin/python3" ]]; then
  echo "test.sh: creating $VENV"
  python3 -m venv "$VENV"
fi
if [[ ! -f "$STAMP" || "$(cat "$STAMP")" != "$WANT" || ! -x "$VENV/bin/moto_server" || ! -x "$VENV/bin/sam" ]]; then
  echo "test.sh: installing ${REQUIREMENTS[*]} into .venv (about a minute)"
  "$VENV/bin/pip" install -q --disable-pip-version-check "${REQUIREMENTS[0]}"
  "$VENV/bin/pip" install -q --disable-pip-version-check "${REQUIREMENTS[@]}"
  printf '%s' "$WANT" >"$STAMP"
fi
export PATH="$VENV/bin:$PATH"
export SAM_CLI_TELEMETRY=0

# --- moto server ---------------------------------------------------------------------------
MOTO_DIR="$(mktemp -d "${TMPDIR:-/tmp}/sqa-moto.XXXXXX")"
MOTO_PID=""
cleanup() {
  local status=$?
  if [[ -n "$MOTO_PID" ]] && kill -0 "$MOTO_PID" 2>/dev/null; then
    kill "$MOTO_PID" 2>/dev/null || true
    wait "$MOTO_PID" 2>/dev/null || true
  fi
  if [[ $status -ne 0 && -s "$MOTO_DIR/moto.log" ]]; then
    echo "test.sh: last lines of the moto log:" >&2
    tail -n 20 "$MOTO_DIR/moto.log" >&2 || true
  fi
  rm -rf "$MOTO_DIR"
  exit $status
}
trap cleanup EXIT
trap 'exit 130' INT TERM

PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
"$VENV/bin/moto_server" -H 127.0.0.1 -p "$PORT" >"$MOTO_DIR/moto.log" 2>&1 &
MOTO_PID=$!

# Dummy credentials and a region: without them the SDKs look for real ones (IMDS) or fail
# with MissingSigningRegion.
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test
unset AWS_PROFILE AWS_SESSION_TOKEN
export AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1
export AWS_ENDPOINT_URL="http://127.0.0.1:$PORT"
export AWS_EC2_METADATA_DISABLED=true

for _ in $(seq 1 100); do
  if python3 -c "import urllib.request,sys; urllib.request.urlopen('$AWS_ENDPOINT_URL/moto-api/', timeout=1)" 2>/dev/null; then
    break
  fi
  if ! kill -0 "$MOTO_PID" 2>/dev/null; then
    echo "test.sh: moto server did not start" >&2
    exit 1
  fi
  sleep 0.1
done
echo "test.sh: moto server on $AWS_ENDPOINT_URL (pid $MOTO_PID)"

# --- template lint -------------------------------------------------------------------------
echo "test.sh: cfn-lint template.yaml"
cfn-lint template.yaml
echo "test.sh: sam validate --lint"
sam validate --lint -t template.yaml

# --- tests ---------------------------------------------------------------------------------
cargo test --workspace "$@"
