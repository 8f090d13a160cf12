#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# Writes dist/chime.wav, the short tone cue-command can play before a cue
# (paced.conf(5)): a soft bell of two sines with a quick attack and an
# exponential decay, 16-bit mono at 22050 Hz, 0.3 s, about 13 KB.
# Made here, so it is ours to ship: python3 dist/gen-chime.py > dist/chime.wav
import math
import struct
import sys
import wave

RATE = 22050
SECONDS = 0.3
ATTACK = 0.005		# s: no click at the start
FADE = 0.02		# s: and none at the end
TAU = 0.08		# s: the bell's decay
PARTIALS = ((880.0, 0.7), (2428.8, 0.3))	# A5 and a bell's 2.76x overtone
PEAK = 0.45		# of full scale: a chime, not an alarm

n = int(RATE * SECONDS)
frames = bytearray()
for i in range(n):
    t = i / RATE
    env = min(1.0, t / ATTACK) * math.exp(-t / TAU)
    env *= min(1.0, (SECONDS - t) / FADE)
    v = sum(a * math.sin(2 * math.pi * f * t) for f, a in PARTIALS)
    frames += struct.pack('<h', int(round(32767 * PEAK * env * v)))

with wave.open(sys.stdout.buffer, 'wb') as w:
    w.setnchannels(1)
    w.setsampwidth(2)
    w.setframerate(RATE)
    w.writeframes(bytes(frames))
