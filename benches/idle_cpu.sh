#!/usr/bin/env bash
# CPU of `chronus` open and silent: plain mode, null device, nothing sounding.
# Sums utime+stime of every thread (/proc/PID/task/*/stat) over SECONDS (default 8)
# after a 2 s settle, and prints % of one core per thread and in total.
# Usage: benches/idle_cpu.sh [path/to/chronus] [seconds]
set -euo pipefail
BIN=${1:-target/release/chronus}
SECS=${2:-8}
HZ=$(getconf CLK_TCK)
"$BIN" --plain --stay --output null --no-osc </dev/null >/dev/null 2>&1 &
PID=$!
sleep 2
ticks() {
  for t in /proc/$PID/task/*; do
    name=$(tr ' ' _ <"$t/comm")
    # fields after the ")": 14th,15th overall = utime, stime
    read -r u s < <(sed 's/.*) //' "$t/stat" | awk '{print $12, $13}')
    echo "$name $((u + s))"
  done | sort
}
A=$(ticks); sleep "$SECS"; B=$(ticks)
kill "$PID" 2>/dev/null || true
join <(echo "$A") <(echo "$B") | awk -v hz="$HZ" -v s="$SECS" '
  { d = $3 - $2; tot += d; if (d > 0) printf "%-18s %6.2f%%\n", $1, 100 * d / hz / s }
  END { printf "%-18s %6.2f%% of one core over %d s\n", "total", 100 * tot / hz / s, s }'
