#!/usr/bin/env bash
# Installs what the tests need on a Debian/Ubuntu machine (CI or a fresh
# developer box): Docker engine, Chromium for browser tests, the tools the
# offline node-image build uses, and kind. Safe to run again.
set -euo pipefail

need_root() { if [ "$(id -u)" -ne 0 ]; then echo "sudo"; fi; }
SUDO=$(need_root)

packages=(docker.io chromium debootstrap jq gcc libc6-dev build-essential python3 curl ca-certificates)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "==> apt-get install ${missing[*]}"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q "${missing[@]}"
else
  echo "==> apt packages present"
fi

if ! command -v kind >/dev/null 2>&1 && [ ! -x "$(go env GOPATH 2>/dev/null)/bin/kind" ]; then
  echo "==> go install sigs.k8s.io/kind@v0.30.0"
  go install sigs.k8s.io/kind@v0.30.0
fi
echo "==> kind: $(command -v kind || echo "$(go env GOPATH)/bin/kind")"
