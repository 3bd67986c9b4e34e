#!/usr/bin/env bash
# Starts the Docker engine when it is installed but not running (CI machines
# and containers without systemd), and waits until it answers.
set -euo pipefail
if docker info >/dev/null 2>&1; then echo "==> Docker engine already running"; exit 0; fi
if ! command -v dockerd >/dev/null 2>&1; then
  echo "✗ dockerd is not installed. Fix: sudo apt-get install -y docker.io" >&2; exit 1
fi
if command -v systemctl >/dev/null 2>&1 && systemctl is-system-running >/dev/null 2>&1; then
  sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd systemctl start docker || true
fi
if ! docker info >/dev/null 2>&1; then
  log="${TMPDIR:-/tmp}/hardening-lab-dockerd.log"
  echo "==> starting dockerd in the background (log: $log)"
  nohup dockerd >"$log" 2>&1 &
fi
for _ in $(seq 1 60); do
  if docker info >/dev/null 2>&1; then echo "==> Docker engine running"; exit 0; fi
  sleep 1
done
echo "✗ dockerd did not come up within 60 s; see ${TMPDIR:-/tmp}/hardening-lab-dockerd.log" >&2
exit 1
