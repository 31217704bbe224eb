#!/usr/bin/env bash
# make scan: known vulnerabilities in an image's SBOM, by the scanner the user has. None is
# bundled (both download their vulnerability database at run time), so without one this says how
# to get one and scans nothing.
# Usage: scripts/scan.sh SBOM.spdx.json
set -euo pipefail
sbom="${1:?usage: scripts/scan.sh SBOM.spdx.json}"
[ -f "$sbom" ] || { echo "error: no SBOM at $sbom: make sbom VARIANT=… ARCH=… writes it" >&2; exit 2; }
if command -v trivy >/dev/null; then
  exec trivy sbom --exit-code 1 "$sbom"
elif command -v grype >/dev/null; then
  exec grype "sbom:$sbom" --fail-on high
fi
echo "error: no vulnerability scanner: install trivy (https://trivy.dev) or grype (https://github.com/anchore/grype), then make scan again; nothing was scanned" >&2
exit 2
