#!/usr/bin/env python3
"""Writes the demo samples in this folder (stab.wav, clink.wav, breath.wav): synthesised from
nothing but arithmetic, deterministic, dedicated to the public domain (CC0 1.0).
Run from this folder: python3 generate.py"""
import math, struct, wave

RATE = 44100


def write(name, frames):
    with wave.open(name, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(b"".join(struct.pack("<h", int(max(-1, min(1, s)) * 32000)) for s in frames))


def stab():
    # A minor chord (A3 C4 E4), two slightly detuned partial stacks each, decaying.
    out = []
    for i in range(int(RATE * 0.6)):
        t = i / RATE
        env = math.exp(-t * 6) * min(1, t * 400)
        s = 0
        for f in (220.0, 261.63, 329.63):
            for d in (0.997, 1.003):
                s += sum(math.sin(2 * math.pi * f * d * k * t) / k for k in (1, 2, 3))
        out.append(0.09 * env * s)
    return out


def clink():
    # Inharmonic partials of a small bell.
    partials = [(1180, 1.0), (2630, 0.6), (3910, 0.4), (5270, 0.25)]
    out = []
    for i in range(int(RATE * 0.4)):
        t = i / RATE
        out.append(0.4 * sum(a * math.exp(-t * (8 + f / 400)) * math.sin(2 * math.pi * f * t) for f, a in partials))
    return out


def breath():
    # Low-passed noise that swells and fades: loopable air.
    x, y, out = 12345, 0.0, []
    n = RATE
    for i in range(n):
        x = (1103515245 * x + 12345) % (1 << 31)
        noise = x / (1 << 30) - 1
        y += 0.08 * (noise - y)
        out.append(1.6 * y * math.sin(math.pi * i / n))
    return out


if __name__ == "__main__":
    write("stab.wav", stab())
    write("clink.wav", clink())
    write("breath.wav", breath())
