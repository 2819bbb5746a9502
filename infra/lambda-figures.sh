#!/usr/bin/env bash
# The Lambda figures of README's "Figures":
#   bash infra/lambda-figures.sh [--runs N] [--no-arm64] [--no-build]
# (--no-build measures the binaries already in the target directory.)
#
# 1. Size: every function and the hello-world baseline (infra/lambda-baseline: lambda_runtime +
#    tokio + serde_json, same workspace release profile; infra/lambda-baseline-sdk adds one
#    DynamoDB client and GetItem, the share of one SDK client) built for arm64 the way `sam build`
#    builds them (`cargo lambda build --release --arm64` in the package's folder); the
#    bootstrap's size and its ratio to the baseline's.
# 2. Cold start: native (x86_64) release builds of the same packages, started N times each (in
#    rounds over the binaries) under infra/runtime_api_stub.py; the median ms from exec to the
#    first GET /runtime/invocation/next.
# 3. One batch of 10 records per function, through the stub, against moto server: 10 leads
#    seeded, select run, then each queue's 10 messages handed to its function as Lambda's
#    event source mapping would (validate → research → outreach; 10 replies → engage →
#    handover), 10 bounce notifications to feedback, a 10-row CSV to the api. The response,
#    the handler's time and the process's peak RSS (VmHWM) are reported.
#
# The sandbox (tables, queues, bucket, SES identity, the active config of
# tests/fixtures/aws-sqa.toml and its knowledge documents) is made by the project's own
# provisioning (`sqa-sandbox`, infra/sandbox). Research reads the example's web mirror
# (examples/lumora/web) from a local HTTP server through SQA_WEB_BASE. The functions' TLS
# trust store is the system bundle file only (SSL_CERT_FILE, SSL_CERT_DIR unset), as on Lambda;
# a certificate directory in SSL_CERT_DIR would be read file by file at every cold start.
#
# Works with the default target directory or CARGO_TARGET_DIR. Writes the tables to stdout
# and, with the raw measurements, to TARGET/lambda-figures/. moto and the web server are
# stopped on exit (trap), whatever happened.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

RUNS=15
ARM64=1
BUILD=1
while [[ $# -gt 0 ]]; do
  case "$1" in
    --runs) RUNS="$2"; shift 2 ;;
    --no-arm64) ARM64=0; shift ;;
    --no-build) BUILD=0; shift ;;
    -h|--help) sed -n '2,28p' "$0"; exit 0 ;;
    *) echo "lambda-figures.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done

# shellcheck source=infra/lib.sh
source "$ROOT/infra/lib.sh"
sqa_ensure_venv "$ROOT"

FUNCTIONS=(select validate research outreach engage handover feedback api)
BASELINE=lambda-baseline
# The hello world plus one DynamoDB client and GetItem: what one AWS SDK client costs.
BASELINE_SDK=lambda-baseline-sdk
PACKAGES=("${FUNCTIONS[@]}" "$BASELINE_SDK" "$BASELINE")
pkg_dir() { if [[ "$1" == lambda-baseline* ]]; then echo "infra/$1"; else echo "functions/$1"; fi; }

TARGET_DIR="$(cargo metadata --format-version 1 --no-deps |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')"
OUT="$TARGET_DIR/lambda-figures"
rm -rf "$OUT"
mkdir -p "$OUT"

# --- 1. arm64 sizes ------------------------------------------------------------------------
if [[ $ARM64 == 1 ]]; then
  for pkg in "${PACKAGES[@]}"; do
    if [[ $BUILD == 1 ]]; then
      echo "lambda-figures.sh: cargo lambda build --release --arm64 ($pkg)"
      (cd "$(pkg_dir "$pkg")" && cargo lambda build --release --arm64)
    fi
    if [[ -f "$TARGET_DIR/lambda/$pkg/bootstrap" ]]; then
      stat -c '%s' "$TARGET_DIR/lambda/$pkg/bootstrap" >"$OUT/size-$pkg"
    fi
  done
fi

# --- 2 and 3: native builds ----------------------------------------------------------------
if [[ $BUILD == 1 ]]; then
  for pkg in "${PACKAGES[@]}"; do
    echo "lambda-figures.sh: cargo build --release ($pkg)"
    (cd "$(pkg_dir "$pkg")" && cargo build --release)
  done
  cargo build --release -p sqa-sandbox
fi
BIN="$TARGET_DIR/release"
SANDBOX="$BIN/sqa-sandbox"

WEB_PID=""
cleanup() {
  local status=$?
  if [[ -n "$WEB_PID" ]] && kill -0 "$WEB_PID" 2>/dev/null; then
    kill "$WEB_PID" 2>/dev/null || true
    wait "$WEB_PID" 2>/dev/null || true
  fi
  sqa_stop_moto "$status"
  exit $status
}
trap cleanup EXIT
trap 'exit 130' INT TERM
sqa_start_moto

WEB_PORT="$(sqa_free_port)"
python3 -m http.server --bind 127.0.0.1 --directory "$ROOT/examples/lumora/web" "$WEB_PORT" \
  >"$OUT/web.log" 2>&1 &
WEB_PID=$!

eval "$("$SANDBOX" setup figs tests/fixtures/aws-sqa.toml examples/lumora/company/knowledge)"
export SQA_WEB_BASE="http://127.0.0.1:$WEB_PORT"
export SSL_CERT_FILE="${SSL_CERT_FILE:-/etc/ssl/certs/ca-certificates.crt}"
unset SSL_CERT_DIR RUST_LOG

# --- 2. cold start -------------------------------------------------------------------------
echo "lambda-figures.sh: cold start, $RUNS runs per binary"
BINARIES=()
for pkg in "${PACKAGES[@]}"; do BINARIES+=("$BIN/$pkg"); done
python3 infra/runtime_api_stub.py coldstart --runs "$RUNS" --log "$OUT/coldstart.log" \
  "${BINARIES[@]}" >"$OUT/coldstart.jsonl"

# --- 3. one batch of 10 per function -------------------------------------------------------
STUB_TIMEOUT=120
invoke() { # FUNCTION EVENT_FILE
  echo "lambda-figures.sh: one batch through $1"
  python3 infra/runtime_api_stub.py invoke --timeout "$STUB_TIMEOUT" --event "$2" \
    --log "$OUT/batch-$1.log" "$BIN/$1" >"$OUT/batch-$1.json" || true
}
"$SANDBOX" seed 10
invoke select tests/fixtures/eventbridge-scheduled.json
for q in validate research outreach; do
  "$SANDBOX" event "$q" 10 >"$OUT/event-$q.json"
  invoke "$q" "$OUT/event-$q.json"
done
"$SANDBOX" replies tests/fixtures/sqs-engage-ses-receipt.json 10
"$SANDBOX" event engage 10 >"$OUT/event-engage.json"
invoke engage "$OUT/event-engage.json"
"$SANDBOX" event handover 10 >"$OUT/event-handover.json"
invoke handover "$OUT/event-handover.json"
"$SANDBOX" feedback-event tests/fixtures/sqs-feedback-bounce.json 10 >"$OUT/event-feedback.json"
invoke feedback "$OUT/event-feedback.json"
"$SANDBOX" import-event tests/fixtures/apigw-leads-import.json 10 >"$OUT/event-api.json"
invoke api "$OUT/event-api.json"

# --- report --------------------------------------------------------------------------------
python3 - "$OUT" "$RUNS" "$BASELINE" "$BASELINE_SDK" "${FUNCTIONS[@]}" <<'EOF' | tee "$OUT/figures.md"
import json, os, sys
out, runs, baseline, baseline_sdk, functions = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5:]
measured = functions + [baseline_sdk, baseline]
def read(name):
    p = os.path.join(out, name)
    return open(p).read() if os.path.exists(p) else None

sizes = {f: int(read(f"size-{f}")) for f in measured if read(f"size-{f}")}
if sizes:
    base = sizes.get(baseline)
    print("arm64 release binary (bootstrap), `cargo lambda build --release --arm64`\n")
    print("| binary | bytes | MiB | × hello world |")
    print("|---|---:|---:|---:|")
    for f in measured:
        if f in sizes:
            ratio = f"{sizes[f] / base:.2f}" if base else "?"
            print(f"| {f} | {sizes[f]:,} | {sizes[f] / 2**20:.2f} | {ratio} |")
    print()

cold = {}
for line in (read("coldstart.jsonl") or "").splitlines():
    d = json.loads(line)
    cold[os.path.basename(d["binary"])] = d
if cold:
    base = cold.get(baseline, {}).get("median_ms")
    print(f"cold start, native x86_64: exec → first GET /runtime/invocation/next, {runs} runs\n")
    print("| binary | median ms | min | max | × hello world |")
    print("|---|---:|---:|---:|---:|")
    for f in measured:
        d = cold.get(f)
        if not d or "median_ms" not in d:
            print(f"| {f} | failed | | | |")
            continue
        ratio = f"{d['median_ms'] / base:.2f}" if base else "?"
        print(f"| {f} | {d['median_ms']:.1f} | {d['min_ms']:.1f} | {d['max_ms']:.1f} | {ratio} |")
    print()

print("one batch of 10 records per function (native x86_64, moto server; first invocation, so it includes reading the config)\n")
print("| function | records | answer | exec → answer ms | handler ms | peak RSS MiB | ≤ 256 MB |")
print("|---|---:|---|---:|---:|---:|---|")
for f in functions:
    raw = read(f"batch-{f}.json")
    if not raw:
        print(f"| {f} | | not run | | | | |")
        continue
    d = json.loads(raw)
    ev = read(f"event-{f}.json")
    records = len(json.loads(ev).get("Records", [])) if ev else ""
    r = d.get("response")
    if r is None:
        answer = "ERROR " + (d.get("init_error") or d.get("error") or "?")[:120].replace("|", "/")
    elif f == "select":
        records = len(r.get("selected", []))
        answer = f"selected {records}, due {len(r.get('due', []))}"
    elif f == "api":
        body = json.loads(r.get("body") or "{}")
        records = len(body.get("imported", []))
        answer = f"HTTP {r.get('statusCode')}, imported {records}, enqueued {body.get('enqueued')}"
    else:
        failures = r.get("batchItemFailures", [])
        answer = f"{len(failures)} failure(s) reported"
    rss = d.get("peak_rss_kib")
    rss_mib = f"{rss / 1024:.1f}" if rss else "?"
    ok = "yes" if rss and rss * 1024 <= 256 * 10**6 and r is not None else "no"
    print(f"| {f} | {records} | {answer} | {d.get('ms_to_response', '')} | {d.get('handler_ms', '')} | {rss_mib} | {ok} |")
EOF
echo "lambda-figures.sh: raw measurements and logs in $OUT"
