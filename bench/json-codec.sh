#!/usr/bin/env bash
# CPU cost of the JSON parser, codec and writer (NFTModel) on a 10k-rule file, without the
# rest of nftctl: NFTModel is compiled alone with swiftc -O (as a module of its own, so
# cross-module inlining is what nftctl gets), with bench/json-codec/main.swift as the driver.
#   bench/json-codec.sh [SOURCES_DIR] [FILE...]
# SOURCES_DIR defaults to this checkout's Sources/NFTModel (point it at an old checkout's to
# compare); FILE defaults to a 10k-rule table compiled with .build/release/nftctl.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
src="${1:-$here/../Sources/NFTModel}"; shift || true
out="$(mktemp -d /tmp/nftctl-json-codec.XXXXXX)"
trap 'rm -rf "$out"' EXIT
swiftc -O -wmo -parse-as-library -module-name NFTModel -emit-module -emit-module-path "$out/NFTModel.swiftmodule" \
    -emit-library -static -o "$out/libNFTModel.a" $(find "$src" -name '*.swift')
swiftc -O "$here/json-codec/main.swift" -I "$out" -L "$out" -lNFTModel -o "$out/json-codec"
if [ $# -eq 0 ]; then
    NFTCTL="${NFTCTL:-$here/../.build/release/nftctl}"
    source "$here/lib.sh"
    gen_rules 10000 0 > "$WORK/r0.nft"
    "$NFTCTL" compile "$WORK/r0.nft" -o "$WORK/r0.json"
    set -- "$WORK/r0.json"
fi
"$out/json-codec" "$@"
