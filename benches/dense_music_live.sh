#!/bin/bash
# 60 s of the reliability issue's dense music, live on the null device in plain mode; prints
# `status` after 8 s and after 60 s. Usage: benches/dense_music_live.sh [path/to/chronus]
set -eu
CHRONUS=${1:-target/debug/chronus}
HOME_DIR=$(mktemp -d)
export XDG_DATA_HOME=$HOME_DIR/data XDG_STATE_HOME=$HOME_DIR/state
{
  for l in "tempo 180" "release 2 s" "chord C3m7" "chord Dm9 octave 4" "chord G7 octave 5" \
           "arp up" "arp rate 1/32" "arp octaves 3" "track hats pattern xxxxxxxxxxxxxxxx" \
           "track lead seq C5 D5 E5 F5 G5 A5 B5 C6" "track lead rate 1/32" "start"; do
    echo "$l"
  done
  sleep 8; echo status
  sleep 52; echo status
  echo quit
} | "$CHRONUS" --plain --output null --no-osc | grep '^ring='
rm -rf "$HOME_DIR"
