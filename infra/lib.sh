# Shared by infra/test.sh and infra/lambda-figures.sh (source it; it changes nothing on its own).
#
#   sqa_ensure_venv   create .venv if it is missing or its pins changed (SAM, moto server,
#                     cargo-lambda, email-validator; one venv: cargo-lambda finds zig through
#                     the first python3 on PATH, and sam needs that same zig); put it on PATH
#   sqa_ensure_dovecot  install Debian's dovecot-imapd when dovecot is missing (the real-mail
#                     tests start their own Dovecot on 127.0.0.1; the system service stays off)
#   sqa_ensure_machete  build cargo-machete (pinned) into .venv/cargo/bin once; put it on PATH
#   sqa_start_moto    start moto server on a free 127.0.0.1 port, point the AWS SDKs at it
#   sqa_stop_moto     stop it (call from the caller's EXIT trap); prints the log's tail on failure

# Pinned: these versions were checked together on rustc 1.95 / Python 3.11 (TOOLCHAIN.md).
# SAM comes first in the list: installed after moto it would downgrade boto3/click/pydantic.
SQA_REQUIREMENTS=(
  "aws-sam-cli==1.170.0"
  "moto[server]>=5,<6"
  "cargo-lambda==1.9.2"
  "email-validator>=2.2,<3"
  # The differential address test compares with email-validator's IDNA checks: pin them.
  "idna==3.20"
  # The real-mail tests' SMTP server on 127.0.0.1 (tests/servers/smtp_server.py).
  "aiosmtpd==1.4.6"
)

sqa_ensure_venv() {
  local root="$1"
  VENV="$root/.venv"
  local stamp="$VENV/.sqa-requirements"
  local want="${SQA_REQUIREMENTS[*]}"
  if [[ ! -x "$VENV/bin/python3" ]]; then
    echo "$(basename "$0"): creating $VENV"
    python3 -m venv "$VENV"
  fi
  if [[ ! -f "$stamp" || "$(cat "$stamp")" != "$want" || ! -x "$VENV/bin/moto_server" || ! -x "$VENV/bin/sam" ]]; then
    echo "$(basename "$0"): installing ${SQA_REQUIREMENTS[*]} into .venv (about a minute)"
    "$VENV/bin/pip" install -q --disable-pip-version-check "${SQA_REQUIREMENTS[0]}"
    "$VENV/bin/pip" install -q --disable-pip-version-check "${SQA_REQUIREMENTS[@]}"
    printf '%s' "$want" >"$stamp"
  fi
  export PATH="$VENV/bin:$PATH"
  export SAM_CLI_TELEMETRY=0
}

# cargo-machete finds dependencies a Cargo.toml declares and no source file names. Built once
# from crates.io with its own lock file (about two minutes of CPU on rustc 1.95), then reused:
# .venv is the cache of the test command's tools.
SQA_MACHETE_VERSION="0.9.2"

sqa_ensure_machete() {
  local root="$1"
  local dir="$root/.venv/cargo"
  if [[ "$("$dir/bin/cargo-machete" --version 2>/dev/null)" != "$SQA_MACHETE_VERSION" ]]; then
    echo "$(basename "$0"): building cargo-machete $SQA_MACHETE_VERSION into $dir (once, about two minutes)"
    cargo install --quiet --locked --force --root "$dir" "cargo-machete@$SQA_MACHETE_VERSION"
  fi
  export PATH="$dir/bin:$PATH"
}

sqa_ensure_dovecot() {
  if [[ -x /usr/sbin/dovecot ]]; then
    return 0
  fi
  if ! command -v apt-get >/dev/null; then
    echo "$(basename "$0"): dovecot is missing and there is no apt-get: the IMAP tests will fail under CI" >&2
    return 0
  fi
  local sudo=""
  if [[ $(id -u) -ne 0 ]]; then
    sudo="sudo"
  fi
  echo "$(basename "$0"): installing dovecot-imapd (the IMAP tests' server)"
  # The package's own service is not wanted: each test starts its own server.
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends dovecot-imapd >/dev/null ||
    { $sudo apt-get update -q >/dev/null && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends dovecot-imapd >/dev/null; }
  if command -v systemctl >/dev/null && systemctl is-active --quiet dovecot 2>/dev/null; then
    $sudo systemctl stop dovecot || true
  fi
}

sqa_free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

MOTO_PID=""
MOTO_DIR=""
sqa_start_moto() {
  MOTO_DIR="$(mktemp -d "${TMPDIR:-/tmp}/sqa-moto.XXXXXX")"
  local port
  port="$(sqa_free_port)"
  # moto's server, with DynamoDB requests served one at a time as AWS applies them
  # atomically (tests/servers/moto_server.py says why).
  "$VENV/bin/python" "$(dirname "${BASH_SOURCE[0]}")/../tests/servers/moto_server.py" \
    -H 127.0.0.1 -p "$port" >"$MOTO_DIR/moto.log" 2>&1 &
  MOTO_PID=$!

  # Dummy credentials and a region: without them the SDKs look for real ones (IMDS) or fail
  # with MissingSigningRegion.
  export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test
  unset AWS_PROFILE AWS_SESSION_TOKEN
  export AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1
  export AWS_ENDPOINT_URL="http://127.0.0.1:$port"
  export AWS_EC2_METADATA_DISABLED=true

  for _ in $(seq 1 100); do
    if python3 -c "import urllib.request,sys; urllib.request.urlopen('$AWS_ENDPOINT_URL/moto-api/', timeout=1)" 2>/dev/null; then
      break
    fi
    if ! kill -0 "$MOTO_PID" 2>/dev/null; then
      echo "$(basename "$0"): moto server did not start" >&2
      return 1
    fi
    sleep 0.1
  done
  echo "$(basename "$0"): moto server on $AWS_ENDPOINT_URL (pid $MOTO_PID)"
}

sqa_stop_moto() {
  local status="${1:-0}"
  if [[ -n "$MOTO_PID" ]] && kill -0 "$MOTO_PID" 2>/dev/null; then
    kill "$MOTO_PID" 2>/dev/null || true
    wait "$MOTO_PID" 2>/dev/null || true
  fi
  MOTO_PID=""
  if [[ -n "$MOTO_DIR" ]]; then
    if [[ $status -ne 0 && -s "$MOTO_DIR/moto.log" ]]; then
      echo "$(basename "$0"): last lines of the moto log:" >&2
      tail -n 20 "$MOTO_DIR/moto.log" >&2 || true
    fi
    rm -rf "$MOTO_DIR"
    MOTO_DIR=""
  fi
}
