#!/bin/sh
# Install the Debian packages privaudit needs, only those that are missing.
# Uses sudo when not root.  Prints nothing when everything is present.
set -eu
PKGS="pkg-config gcc make libc6-dev libxgboost-dev libopenblas-dev libcjson-dev check gnuplot-nox python3 python3-xgboost python3-sklearn"
missing=""
for p in $PKGS; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done
[ -z "$missing" ] && exit 0
echo "privaudit: installing missing Debian packages:$missing" >&2
SUDO=""
if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null 2>&1; then SUDO=sudo; else
        echo "privaudit: error: not root and no sudo; install:$missing" >&2; exit 2
    fi
fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing
