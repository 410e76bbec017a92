#!/usr/bin/env bash
# Runs every benchmark against a release build (built if missing). Needs root for the
# kernel ones (they run in a throw-away network namespace).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .build/release/nftctl ] || swift build -c release
echo "== 1-rule change and diff vs nft (bench/apply.sh)"
./bench/apply.sh .build/release/nftctl
echo
echo "== DSL compile (bench/dsl-compile.sh)"
NFTCTL=$PWD/.build/release/nftctl ./bench/dsl-compile.sh
