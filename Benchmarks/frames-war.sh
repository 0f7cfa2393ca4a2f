#!/usr/bin/env bash
# Every day of 2014-01-01 … 2019-03-31 at 1280x960: wall time and peak memory.
#   bash Benchmarks/frames-war.sh [jobs]
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"
swift build -c release --product frontline 2>/dev/null >/dev/null
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
/usr/bin/time -f "wall %e s, peak RSS %M KB" .build/release/frontline frames --from 2014-01-01 --to 2019-03-31 \
  --step 1d --size 1280x960 --out "$out" --force --jobs "${1:-$(nproc)}" 2>&1 | grep -v '^frames:'
echo "frames on disk: $(ls "$out" | grep -c '^frame-') ($(du -sh "$out" | cut -f1))"
