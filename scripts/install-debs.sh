#!/usr/bin/env bash
# Installs the Debian packages given as arguments if any are missing, saying what it does.
# Uses sudo when not root. Exits non-zero with a clear message when it cannot install.
set -euo pipefail
missing=()
for pkg in "$@"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$pkg")
    fi
done
[ ${#missing[@]} -eq 0 ] && exit 0
if ! command -v apt-get >/dev/null; then
    echo "chronus: missing packages ${missing[*]} and no apt-get here; please install them by hand." >&2
    exit 1
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null; then SUDO="sudo"; else
        echo "chronus: need root (or sudo) to install ${missing[*]}" >&2; exit 1
    fi
fi
echo "chronus: installing missing Debian packages: ${missing[*]} (apt-get)" >&2
export DEBIAN_FRONTEND=noninteractive
# jackd2 asks whether to enable realtime priority; answer no without a prompt.
echo "jackd2 jackd/tweak_rt_limits boolean false" | $SUDO debconf-set-selections 2>/dev/null || true
if ! $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}" >/tmp/chronus-apt.log 2>&1; then
    echo "chronus: apt-get install failed, updating the package lists and retrying" >&2
    $SUDO apt-get update -q >>/tmp/chronus-apt.log 2>&1 || true
    if ! $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}" >>/tmp/chronus-apt.log 2>&1; then
        echo "chronus: could not install ${missing[*]}; see /tmp/chronus-apt.log" >&2
        tail -5 /tmp/chronus-apt.log >&2
        exit 1
    fi
fi
echo "chronus: installed ${missing[*]}" >&2
