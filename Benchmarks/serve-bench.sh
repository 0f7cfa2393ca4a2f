#!/usr/bin/env bash
# Benchmark of `frontline serve` (release build): start-up time, a slider sweep, 8 concurrent
# clients, a 50-client soak with errors and memory, and one whole `frontline render` process for
# the same map as the yardstick. Usage: bash Benchmarks/serve-bench.sh [--quick]
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=/opt/swift/usr/bin:$PATH
quick=${1:-}
swift build -c release --product frontline >/dev/null
bin=.build/release/frontline
log=$(mktemp)
"$bin" serve --port 0 >"$log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -f "$log"' EXIT
for _ in $(seq 100); do grep -q 'http://' "$log" && break; sleep 0.05; done
url=$(grep -o 'http://[0-9.:]*/' "$log" | head -1)
echo "server: $(head -1 "$log")"
rss() { awk '/VmRSS/ {printf "%.0f MB", $2/1024}' /proc/$pid/status; }
echo "RSS after start: $(rss)"

load() { python3 Benchmarks/serve_load.py "$url" "$@"; }
echo
echo "== slider sweep, one map a day, 1280x960 PNG =="
load sweep --from 2017-09-01 --to 2017-11-30 --step 1
if [ "$quick" != "--quick" ]; then
  echo
  echo "== the whole war, one map a week (memory must stay flat) =="
  load sweep --from 2014-01-01 --to 2019-03-31 --step 7
  echo "RSS after the sweep: $(rss)"
fi
echo
echo "== 8 concurrent clients =="
load concurrent --clients 8 --requests 40
echo
echo "== soak =="
load soak --clients 50 --seconds "$([ "$quick" = "--quick" ] && echo 10 || echo 30)" --pid "$pid"
echo "RSS after a second soak (flat if the caches are full): $(load soak --clients 50 --seconds 20 --pid "$pid" | tail -1 | sed 's/.*after //')"
echo "RSS peak (VmHWM): $(awk '/VmHWM/ {printf "%.0f MB", $2/1024}' /proc/$pid/status)"

echo
echo "== yardstick: one whole 'frontline render' process, 1280x960 PNG (median of 5) =="
out=$(mktemp --suffix .png)
python3 - "$bin" "$out" <<'PY'
import statistics, subprocess, sys, time
runs = []
for _ in range(5):
    t = time.perf_counter()
    subprocess.run([sys.argv[1], "render", "--date", "2017-10-17", "--size", "1280x960", "--out", sys.argv[2]],
                   check=True, stdout=subprocess.DEVNULL)
    runs.append((time.perf_counter() - t) * 1000)
print(f"frontline render: median {statistics.median(runs):.0f} ms")
PY
rm -f "$out"
