#!/usr/bin/env bash
# Renders the same voices with SuperCollider's scsynth (non-real-time mode) and with
# `chronus render`, and prints both realtime factors and their ratio.
#
# The voice: band-limited saw -> ADSR (attack 10 ms, decay 200 ms, sustain 0.7, release
# 300 ms, linear) -> 2-pole resonant lowpass at 1200 Hz (chronus: SVF resonance 0.6, i.e.
# damping 0.824; scsynth: RLPF with rq 0.824) -> gain 0.03 (-30 dB) -> stereo out. N voices
# hold N distinct notes (MIDI note (37 i) mod 128, the same as `chronus bench`) for RENDER_SECONDS
# seconds at 44.1 kHz, written to a 32-bit float WAV by both. scsynth runs its envelope at
# control rate (EnvGen.kr, as a SuperCollider user would write it); chronus at audio rate.
#
# The SynthDef is written by this script (SCgf version 2, see the SuperCollider "Synth
# Definition File Format" help page), so only scsynth is needed, not sclang.
#
# Usage: benches/compare_scsynth.sh            (VOICES="16 64" RENDER_SECONDS=30 by default)
#        VOICES="1 16 64 128" RENDER_SECONDS=10 CHRONUS=target/release/chronus benches/compare_scsynth.sh
# Needs: scsynth (Debian: apt-get install supercollider-server), python3, and a release build
# of chronus (`cargo build --release`; the script builds it when CHRONUS is not set).
set -euo pipefail

VOICES=${VOICES:-"16 64"}
SECONDS_TO_RENDER=${RENDER_SECONDS:-30}
RATE=44100
here=$(cd "$(dirname "$0")/.." && pwd)

if ! command -v scsynth >/dev/null; then
    echo "compare_scsynth: scsynth not found; install it with" >&2
    echo "  apt-get install -y supercollider-server" >&2
    exit 2
fi
if ! command -v python3 >/dev/null; then
    echo "compare_scsynth: python3 is needed to write the SynthDef and the score" >&2
    exit 2
fi
if [[ -z "${CHRONUS:-}" ]]; then
    (cd "$here" && cargo build --release --quiet)
    CHRONUS="$here/target/release/chronus"
fi

work=$(mktemp -d)
if [[ -z "${KEEP:-}" ]]; then trap 'rm -rf "$work"' EXIT; else echo "keeping $work" >&2; fi

# Writes $work/score-N.osc: /d_recv of the SynthDef, N /s_new at time 0, and a /c_set at
# RENDER_SECONDS that marks where the non-real-time render ends.
write_score() {
    python3 - "$1" "$2" "$3" <<'PY'
import struct, sys

voices, seconds, path = int(sys.argv[1]), float(sys.argv[2]), sys.argv[3]

def pstring(s):
    b = s.encode()
    return struct.pack(">B", len(b)) + b

# ---- SynthDef "chronus_voice" (SCgf v2) -------------------------------------------------
consts = [0.0, 1.0, 3.0, 2.0, -99.0, 0.01, 0.7, 0.2, 0.3]
C = {v: i for i, v in enumerate(consts)}
params = [("freq", 440.0), ("gate", 1.0), ("amp", 0.03), ("cutoff", 1200.0), ("rq", 0.824)]
KR, AR = 1, 2

def const(v):
    return (-1, C[v])

# Env.adsr(0.01, 0.2, 0.7, 0.3, curve: \lin): init 0, 3 stages, release node 2, no loop;
# then (level, time, shape 1 = linear, curve 0) per stage.
env = [0.0, 3.0, 2.0, -99.0,
       1.0, 0.01, 1.0, 0.0,
       0.7, 0.2, 1.0, 0.0,
       0.0, 0.3, 1.0, 0.0]
ugens = [
    ("Control", KR, [], [KR] * len(params), 0),
    ("Saw", AR, [(0, 0)], [AR], 0),
    ("EnvGen", KR, [(0, 1), const(1.0), const(0.0), const(1.0), const(0.0)]
        + [const(v) for v in env], [KR], 0),
    ("BinaryOpUGen", AR, [(1, 0), (2, 0)], [AR], 2),  # saw * env
    ("RLPF", AR, [(3, 0), (0, 3), (0, 4)], [AR], 0),
    ("BinaryOpUGen", AR, [(4, 0), (0, 2)], [AR], 2),  # * amp
    ("Out", AR, [const(0.0), (5, 0), (5, 0)], [], 0),
]
d = pstring("chronus_voice")
d += struct.pack(">i", len(consts)) + b"".join(struct.pack(">f", v) for v in consts)
d += struct.pack(">i", len(params)) + b"".join(struct.pack(">f", v) for _, v in params)
d += struct.pack(">i", len(params))
d += b"".join(pstring(n) + struct.pack(">i", i) for i, (n, _) in enumerate(params))
d += struct.pack(">i", len(ugens))
for name, rate, ins, outs, special in ugens:
    d += pstring(name) + struct.pack(">biih", rate, len(ins), len(outs), special)
    d += b"".join(struct.pack(">ii", u, o) for u, o in ins)
    d += b"".join(struct.pack(">b", r) for r in outs)
d += struct.pack(">h", 0)
synthdef = b"SCgf" + struct.pack(">ih", 2, 1) + d

# ---- OSC score ---------------------------------------------------------------------------
def pad(b):
    return b + b"\0" * (4 - len(b) % 4)

def message(address, *args):
    tags, data = ",", b""
    for a in args:
        if isinstance(a, bytes):
            tags += "b"
            data += struct.pack(">i", len(a)) + a + b"\0" * (-len(a) % 4)
        elif isinstance(a, str):
            tags += "s"
            data += pad(a.encode())
        elif isinstance(a, int):
            tags += "i"
            data += struct.pack(">i", a)
        else:
            tags += "f"
            data += struct.pack(">f", a)
    return pad(address.encode()) + pad(tags.encode()) + data

def bundle(time, *messages):
    tag = int(time * (1 << 32))
    b = b"#bundle\0" + struct.pack(">Q", tag)
    for m in messages:
        b += struct.pack(">i", len(m)) + m
    return struct.pack(">i", len(b)) + b

score = bundle(0.0, message("/d_recv", synthdef))
notes = []
for i in range(voices):
    note = (i * 37) % 128
    freq = 440.0 * 2 ** ((note - 69) / 12)
    notes.append(message("/s_new", "chronus_voice", 1000 + i, 0, 0, "freq", freq))
score += bundle(0.0, *notes)
score += bundle(seconds, message("/c_set", 0, 0))
open(path, "wb").write(score)
PY
}

now() { date +%s.%N; }

printf '%-8s %7s %14s %14s %14s %14s %8s\n' voices seconds "scsynth x" "scsynth v-s/s" "chronus x" "chronus v-s/s" ratio
for n in $VOICES; do
    write_score "$n" "$SECONDS_TO_RENDER" "$work/score-$n.osc"
    start=$(now)
    if ! scsynth -o 2 -N "$work/score-$n.osc" _ "$work/sc-$n.wav" "$RATE" WAV float \
        >"$work/sc-$n.log" 2>&1; then
        echo "compare_scsynth: scsynth failed:" >&2
        cat "$work/sc-$n.log" >&2
        exit 1
    fi
    sc_wall=$(python3 -c "print($(now) - $start)")
    start=$(now)
    "$CHRONUS" render --voices "$n" --seconds "$SECONDS_TO_RENDER" --rate "$RATE" \
        -o "$work/chronus-$n.wav" >"$work/chronus-$n.log"
    ch_wall=$(python3 -c "print($(now) - $start)")
    python3 - "$n" "$SECONDS_TO_RENDER" "$sc_wall" "$ch_wall" <<'PY'
import sys
n, secs, sc, ch = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
sc_x, ch_x = secs / sc, secs / ch
print(f"{n:<8} {secs:>7.0f} {sc_x:>14.1f} {sc_x * n:>14.0f} {ch_x:>14.1f} {ch_x * n:>14.0f} {ch_x / sc_x:>7.2f}x")
PY
done
echo "x = realtime factor (audio seconds per wall second, one thread, including writing the"
echo "WAV); v-s/s = voice-seconds per wall second; ratio = chronus / scsynth."
