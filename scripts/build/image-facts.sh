#!/bin/sh
# The facts stage of Dockerfile.amd64/arm64: compiles `tictactoe-variant` natively (debug; it
# links Config and the argument parser, not the server) and writes what the image build needs
# of one variant to OUT:
#   facts.env          `tictactoe variant facts`: port, architectures and their names, image
#                      layout, health check, RDS bundle, AWS names (KEY='value' lines)
#   config.yaml        the variant without its deploy section, baked into the image
#   Package.resolved   the dependency versions the binary is built from
#   dependencies.txt   the same as name@version, one per line
# Usage: scripts/build/image-facts.sh VARIANT SCRATCH OUT
set -eu
variant="$1"; scratch="$2"; out="$3"
file="variants/$variant.yaml"
[ -f "$file" ] || { echo "error: no variant '$variant' ($file is missing); variants: $(ls variants | sed 's/\.yaml$//' | tr '\n' ' ')" >&2; exit 1; }
scripts/build/swift-build.sh "$scratch" --product tictactoe-variant >&2
tool="$(scripts/build/swift-build.sh "$scratch" --show-bin-path)/tictactoe-variant"
mkdir -p "$out"
"$tool" facts "$file" >"$out/facts.env"
"$tool" image-config "$file" >"$out/config.yaml"
cp Package.resolved "$out/Package.resolved"
awk -F'"' '/"identity"/ { name = $4 } /"version" : "/ { print name "@" $4 }' Package.resolved | sort >"$out/dependencies.txt"
