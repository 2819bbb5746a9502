#!/usr/bin/env bash
# `sam build` from a clean checkout, as a user runs it after `git clone`:
#   bash infra/sam-build-check.sh [COMMIT]     (default HEAD)
#
# Clones the repository's COMMIT into a temporary folder (nothing of this working tree's
# target/ or .aws-sam/ is reused), runs `sam build` there with the SAM CLI of .venv, checks
# that every function of template.yaml got an arm64 `bootstrap`, and prints their sizes and the
# build time. A cold build takes about 17 minutes on 2 cores (README, Figures). The temporary
# folder is removed on exit.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
COMMIT="${1:-HEAD}"

# shellcheck source=infra/lib.sh
source "$ROOT/infra/lib.sh"
sqa_ensure_venv "$ROOT"
# SAM looks for cargo lambda's output under the package's own target directory.
unset CARGO_TARGET_DIR

WORK="$(mktemp -d "${TMPDIR:-/tmp}/sqa-sam-build.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

git clone -q "$ROOT" "$WORK/sqa"
git -C "$WORK/sqa" checkout -q "$COMMIT"
cd "$WORK/sqa"

start=$(date +%s)
sam build
elapsed=$(($(date +%s) - start))

status=0
echo
echo "sam-build-check.sh: $(git rev-parse --short HEAD), sam build in ${elapsed} s"
for fn in $(python3 - <<'EOF'
import re
# The function resources of template.yaml (no YAML library needed: their type line).
text = open("template.yaml").read()
for m in re.finditer(r"^  (\w+):\n    Type: AWS::Serverless::Function", text, re.M):
    print(m.group(1))
EOF
); do
  boot=".aws-sam/build/$fn/bootstrap"
  if [[ ! -f "$boot" ]]; then
    echo "  $fn: no bootstrap" >&2
    status=1
  elif ! python3 -c 'import sys; h = open(sys.argv[1], "rb").read(20); sys.exit(not (h[:4] == b"\x7fELF" and int.from_bytes(h[18:20], "little") == 183))' "$boot"; then
    echo "  $fn: bootstrap is not an arm64 (aarch64) ELF executable" >&2
    status=1
  else
    printf '  %-20s %12s bytes\n' "$fn" "$(stat -c %s "$boot")"
  fi
done
exit $status
