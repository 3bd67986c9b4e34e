#!/usr/bin/env bash
# Builds the offline stand-in workload images (nginx:1.27/latest,
# busybox:1.36/latest) from Debian bookworm packages. Nothing is pulled.
# They are stand-ins for the Docker Hub images, for clusters without a registry.
# Usage: scripts/offline/build-standin-images.sh [--force | --force-all]
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
source "$SCRIPT_DIR/lib.sh"
# shellcheck source=standin-lib.sh
source "$SCRIPT_DIR/standin-lib.sh"

STAGE_INPUTS=([standin-images]="$SCRIPT_DIR/standin-lib.sh")

main() {
  # --force rebuilds the images; --force-all also the Debian rootfs under them.
  case "${1:-}" in
    --force) export FORCE_STAGES="standin-images" ;;
    --force-all) export FORCE_STAGES="slim-rootfs,standin-images" ;;
  esac
  ensure_docker
  mkdir -p "$CACHE_DIR" "$WORK_DIR"
  local t0; t0=$(date +%s)
  run_stage slim-rootfs stage_slim_rootfs check_slim_rootfs
  run_stage standin-images stage_standin_images check_standin_images
  log "stand-in images ready in $(fmt_secs $(( $(date +%s) - t0 ))): ${NGINX_TAGS[*]} ${BUSYBOX_TAGS[*]}"
}

main "$@"; exit $?
