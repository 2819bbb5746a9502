#!/usr/bin/env bash
# Refresh the public domain lists the email validation agent ships in its binary
# (shared/core/data/email/), from their npm packages, and record the versions in NOTICE.
#
#   infra/refresh-email-lists.sh            # latest published versions
#   DISPOSABLE_VERSION=1.26.0 FREE_VERSION=1.12.6 infra/refresh-email-lists.sh
#
# Needs npm (registry access) and python3. After a refresh, run
#   cargo test -p sqa-core email && cargo test -p sqa-tests email
# the tests check that the README's floor lists are still covered and the vectors still agree.
#
# The public suffix list comes with the `psl` crate: refresh it with `cargo update -p psl`.
# The Unicode tables (shared/core/src/agents/email/tables.rs) follow the reference validator's
# Python environment: regenerate them with shared/core/data/email/gen_unicode_tables.py.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
out="$root/shared/core/data/email"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

disposable_pkg="disposable-email-domains-js@${DISPOSABLE_VERSION:-latest}"
free_pkg="free-email-domains@${FREE_VERSION:-latest}"

cd "$work"
npm pack --silent "$disposable_pkg" >/dev/null
npm pack --silent "$free_pkg" >/dev/null
mkdir d f
tar xzf disposable-email-domains-js-*.tgz -C d
tar xzf free-email-domains-*.tgz -C f

python3 - "$work" "$out" <<'PY'
import json, sys, pathlib, datetime
work, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
today = datetime.date.today().isoformat()

def load(pkgdir, rel):
    meta = json.loads((pkgdir / "package" / "package.json").read_text())
    names = json.loads((pkgdir / "package" / rel).read_text())
    domains = sorted({n.strip().lower() for n in names if n.strip()})
    return meta, domains

def write(path, header, domains):
    body = "".join(f"# {h}\n" for h in header) + "".join(d + "\n" for d in domains)
    path.write_text(body)

dmeta, disposable = load(work / "d", "dist/dict/disposable_email_blocklist.json")
fmeta, free = load(work / "f", "domains.json")
write(out / "disposable-domains.txt", [
    "Disposable (temporary) email domains: the disposable-email-domains project's blocklist,",
    f"as packaged on npm by {dmeta['name']} {dmeta['version']} ({dmeta['license']}), fetched {today}.",
    "Refreshed by infra/refresh-email-lists.sh; do not edit by hand (see disposable-extra.txt).",
], disposable)
write(out / "free-email-domains.txt", [
    "Free email provider domains: the free-email-domains list,",
    f"as packaged on npm by {fmeta['name']} {fmeta['version']} ({fmeta['license']}), fetched {today}.",
    "It also lists disposable domains; SQA subtracts those (disposable wins).",
    "Refreshed by infra/refresh-email-lists.sh; do not edit by hand (see personal-extra.txt).",
], free)
(out / "SOURCES").write_text(
    f"{dmeta['name']} {dmeta['version']} {dmeta['license']} {today} {len(disposable)}\n"
    f"{fmeta['name']} {fmeta['version']} {fmeta['license']} {today} {len(free)}\n"
)
print(f"{dmeta['name']} {dmeta['version']}: {len(disposable)} domains")
print(f"{fmeta['name']} {fmeta['version']}: {len(free)} domains")
PY

# Keep NOTICE in step: rewrite the two version lines between the markers.
python3 - "$root/NOTICE" "$out/SOURCES" <<'PY'
import sys, pathlib, re
notice, sources = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
lines = sources.read_text().split("\n")
text = notice.read_text()
for line in filter(None, lines):
    name, version, licence, date, count = line.split()
    text = re.sub(
        rf"(?m)^  Version: {re.escape(name)} .*$",
        f"  Version: {name} {version} ({licence}), {count} domains, fetched {date}",
        text,
    )
notice.write_text(text)
PY
echo "updated $out and NOTICE"
