#!/usr/bin/env bash
# Times whole `frontline render` processes (1600x1200 PNG), the way a user runs them:
#   cold  — an empty territory cache (nothing computed before),
#   warm  — the same day again (territory read from the cache),
#   other — a day not drawn before, with the cells of its places cached (a new day of a series).
# Prints the median and min of N runs of each (wall seconds and CPU seconds).
# With OTHER_BINARY=/path/to/frontline (and OTHER_DATA=dir), runs it alternately with this build
# (paired runs, so load on the machine affects both alike). With MAPNIK=1, also a whole Mapnik
# process (Debian python3-mapnik, Benchmarks/peers/mapnik_render.py) drawing the exported
# territory of the same day at the same size, paired with the warm run, and the ratio of medians.
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

t() { # prints "wall cpu" of one run of the arguments (wall to the millisecond: GNU time's %e
    # has 10 ms steps, a twentieth of a warm render)
    local t0 t1
    t0=$EPOCHREALTIME
    /usr/bin/time -f "%U %S" -o "$tmp/t" "$@" >/dev/null 2>&1
    t1=$EPOCHREALTIME
    awk -v a="$t0" -v b="$t1" '{printf "%.3f %.3f\n", b - a, $1 + $2}' "$tmp/t"
}
stats() { # name, file of "wall cpu" lines
    local m w0 wm cm
    m=$(( ($(wc -l < "$2") + 1) / 2 ))
    w0=$(cut -d' ' -f1 "$2" | sort -n | head -1)
    wm=$(cut -d' ' -f1 "$2" | sort -n | sed -n "${m}p")
    cm=$(cut -d' ' -f2 "$2" | sort -n | sed -n "${m}p")
    printf "%-44s median %s s wall (min %s), %s s CPU  (%d runs)\n" "$1" "$wm" "$w0" "$cm" "$(wc -l < "$2")"
}
: > "$tmp/cold"; : > "$tmp/warm"; : > "$tmp/other"; : > "$tmp/peer"; : > "$tmp/mapnik"
if [ -n "${MAPNIK:-}" ]; then
    /usr/bin/python3 -c 'import mapnik' 2>/dev/null || apt-get install -y --no-install-recommends python3-mapnik >/dev/null
    "$BIN" export --date "$DATE" --out "$tmp/territory.geojson" >/dev/null
fi
for i in $(seq "$N"); do
    rm -rf "$XDG_CACHE_HOME"
    t "$BIN" render --date "$DATE" --out "$tmp/m.png" >> "$tmp/cold"
    t "$BIN" render --date "$DATE" --out "$tmp/m.png" >> "$tmp/warm"
    t "$BIN" render --date 2016-0$((i % 9 + 1))-15 --out "$tmp/o.png" >> "$tmp/other"
    if [ -n "${MAPNIK:-}" ]; then
        t /usr/bin/python3 Benchmarks/peers/mapnik_render.py "$tmp/territory.geojson" Geodata 1600x1200 1 "$tmp/mapnik.png" >> "$tmp/mapnik"
    fi
    if [ -n "${OTHER_BINARY:-}" ]; then
        t "$OTHER_BINARY" render ${OTHER_DATA:+--data "$OTHER_DATA"} --date "$DATE" --out "$tmp/p.png" >> "$tmp/peer"
    fi
done
stats "render $DATE, cold (empty cache)" "$tmp/cold"
stats "render $DATE, warm (drawn before)" "$tmp/warm"
stats "render another day (cells cached)" "$tmp/other"
[ -s "$tmp/peer" ] && stats "other binary: $OTHER_BINARY" "$tmp/peer"
if [ -s "$tmp/mapnik" ]; then
    stats "Mapnik, whole process (same day and size)" "$tmp/mapnik"
    m=$(( ($(wc -l < "$tmp/warm") + 1) / 2 ))
    fw=$(cut -d' ' -f1 "$tmp/warm" | sort -n | sed -n "${m}p"); mw=$(cut -d' ' -f1 "$tmp/mapnik" | sort -n | sed -n "${m}p")
    fc=$(cut -d' ' -f2 "$tmp/warm" | sort -n | sed -n "${m}p"); mc=$(cut -d' ' -f2 "$tmp/mapnik" | sort -n | sed -n "${m}p")
    awk -v a="$fw" -v b="$mw" -v c="$fc" -v d="$mc" 'BEGIN { printf "frontline warm / Mapnik: %.2f (wall medians), %.2f (CPU medians)\n", a / b, c / d }'
fi
exit 0
