#!/usr/bin/env bash
# Times whole `frontline render` processes (1600x1200 PNG), the way a user runs them:
#   cold  — an empty territory cache (nothing computed before),
#   warm  — the same day again (territory read from the cache),
#   other — a day not drawn before, with the cells of its places cached (a new day of a series).
# Prints the median and min of N runs of each (wall seconds and CPU seconds).
# With OTHER_BINARY=/path/to/frontline (and OTHER_DATA=dir), runs it alternately with this build
# (paired runs, so load on the machine affects both alike).
#   bash Benchmarks/render-process.sh [N=7] [DATE=2017-11-19]
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-7}
DATE=${2:-2017-11-19}
BIN=${BIN:-.build/release/frontline}
[ -x "$BIN" ] || swift build -c release --product frontline >/dev/null
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export XDG_CACHE_HOME="$tmp/cache"

t() { # prints "wall cpu" of one run of the arguments
    /usr/bin/time -f "%e %U %S" -o "$tmp/t" "$@" >/dev/null 2>&1
    awk '{printf "%.3f %.3f\n", $1, $2 + $3}' "$tmp/t"
}
stats() { # name, file of "wall cpu" lines
    local m w0 wm cm
    m=$(( ($(wc -l < "$2") + 1) / 2 ))
    w0=$(cut -d' ' -f1 "$2" | sort -n | head -1)
    wm=$(cut -d' ' -f1 "$2" | sort -n | sed -n "${m}p")
    cm=$(cut -d' ' -f2 "$2" | sort -n | sed -n "${m}p")
    printf "%-44s median %s s wall (min %s), %s s CPU  (%d runs)\n" "$1" "$wm" "$w0" "$cm" "$(wc -l < "$2")"
}
: > "$tmp/cold"; : > "$tmp/warm"; : > "$tmp/other"; : > "$tmp/peer"
for i in $(seq "$N"); do
    rm -rf "$XDG_CACHE_HOME"
    t "$BIN" render --date "$DATE" --out "$tmp/m.png" >> "$tmp/cold"
    t "$BIN" render --date "$DATE" --out "$tmp/m.png" >> "$tmp/warm"
    t "$BIN" render --date 2016-0$((i % 9 + 1))-15 --out "$tmp/o.png" >> "$tmp/other"
    if [ -n "${OTHER_BINARY:-}" ]; then
        t "$OTHER_BINARY" render ${OTHER_DATA:+--data "$OTHER_DATA"} --date "$DATE" --out "$tmp/p.png" >> "$tmp/peer"
    fi
done
stats "render $DATE, cold (empty cache)" "$tmp/cold"
stats "render $DATE, warm (drawn before)" "$tmp/warm"
stats "render another day (cells cached)" "$tmp/other"
[ -s "$tmp/peer" ] && stats "other binary: $OTHER_BINARY" "$tmp/peer"
exit 0
