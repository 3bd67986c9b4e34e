# shellcheck shell=bash
# Shared settings and helpers for the offline kind node image build.
# Sourced by build-node-image.sh, build-standin-images.sh and test-cluster.sh.

# ---- versions (the cache directory is keyed by these) ---------------------
K8S_VERSION="${K8S_VERSION:-v1.34.0}"          # matches kind v0.30.0's default kindest/node:v1.34.0
ETCD_VERSION="${ETCD_VERSION:-v3.6.4}"         # kubeadm v1.34 expects etcd 3.6.4-0
COREDNS_VERSION="${COREDNS_VERSION:-v1.12.1}"  # kubeadm v1.34 expects coredns v1.12.1
PAUSE_VERSION="${PAUSE_VERSION:-3.10.1}"       # kubeadm v1.34 expects pause 3.10.1
CRICTL_VERSION="${CRICTL_VERSION:-v1.34.0}"
KIND_VERSION="${KIND_VERSION:-v0.30.0}"
DEBIAN_SUITE="${DEBIAN_SUITE:-bookworm}"
# Bump when the recipe changes in a way that must invalidate old caches.
RECIPE_REV="${RECIPE_REV:-1}"

OFFLINE_NODE_IMAGE="${HARDENING_LAB_OFFLINE_IMAGE:-hardening-lab/node:${K8S_VERSION}-offline}"
OFFLINE_BASE_IMAGE="hardening-lab/node-base:${DEBIAN_SUITE}-kind${KIND_VERSION}-r${RECIPE_REV}"

CACHE_ROOT="${HARDENING_LAB_CACHE:-$HOME/.cache/hardening-lab}"
VERSIONS_KEY="k8s-${K8S_VERSION}_etcd-${ETCD_VERSION}_coredns-${COREDNS_VERSION}_kind-${KIND_VERSION}_${DEBIAN_SUITE}_r${RECIPE_REV}"
CACHE_DIR="${CACHE_ROOT}/offline/${VERSIONS_KEY}"
BIN_DIR="${CACHE_DIR}/bin"
LOG_DIR="${CACHE_DIR}/logs"
STAMP_DIR="${CACHE_DIR}/stamps"
WORK_DIR="${CACHE_DIR}/work"

export GOFLAGS="${GOFLAGS:--buildvcs=false}"
NPROC="$(nproc 2>/dev/null || echo 2)"
export GOMAXPROCS="${GOMAXPROCS:-$NPROC}"

# Debian mirror used by debootstrap: the one apt on this host uses.
debian_mirror() {
  if [[ -n "${DEBIAN_MIRROR:-}" ]]; then echo "$DEBIAN_MIRROR"; return; fi
  local m
  m="$(grep -rhoE '(URIs:|deb) +https?://[^ ]+/debian/?( |$)' /etc/apt/sources.list /etc/apt/sources.list.d/ 2>/dev/null \
        | grep -oE 'https?://[^ ]+' | head -n1 || true)"
  echo "${m:-http://deb.debian.org/debian}"
}

ts() { date -u +%H:%M:%S; }
log() { printf '[%s] %s\n' "$(ts)" "$*" >&2; }
die() { printf '[%s] ERROR: %s\n' "$(ts)" "$*" >&2; exit 1; }

fmt_secs() { local s=$1; printf '%dm%02ds' $((s / 60)) $((s % 60)); }

# run_stage NAME FUNCTION: runs FUNCTION with stdout/stderr in LOG_DIR/NAME.log,
# skipping it when STAMP_DIR/NAME.done exists. Prints elapsed time; on failure
# names the stage and its log and exits.
STAGE_TIMES=()
# STAGE_DEPS[stage]="dep1 dep2": a stage whose dependency's stamp is newer than
# its own is rebuilt (e.g. node-image after a forced node-files).
declare -gA STAGE_DEPS=(
  [component-images]="k8s-binaries etcd coredns pause slim-rootfs"
  [node-files]="node-rootfs"
  [base-image]="node-files"
  [node-image]="base-image component-images k8s-binaries crictl etcd"
  [standin-images]="slim-rootfs"
)
# An optional third argument names a check function: when it fails, a stamped
# stage is rebuilt anyway (e.g. its docker image was deleted).
# STAGE_INPUTS[stage]="file...": repository files a stage reads; when their
# content changes the stage is rebuilt (the hash is kept in the stamp).
declare -gA STAGE_INPUTS=()
stage_inputs_hash() {
  local f files=${STAGE_INPUTS[$1]:-}
  [[ -n "$files" ]] || { echo none; return; }
  for f in $files; do cat "$f"; done | sha256sum | cut -c1-16
}
run_stage() {
  local name=$1 fn=$2 check=${3:-} start end rc logf inputs
  mkdir -p "$LOG_DIR" "$STAMP_DIR"
  logf="$LOG_DIR/$name.log"
  inputs="$(stage_inputs_hash "$name")"
  if [[ -f "$STAMP_DIR/$name.done" && "$inputs" != none ]] && ! grep -q "inputs=$inputs" "$STAMP_DIR/$name.done"; then
    log "stage $name: its input files changed; rebuilding"
    rm -f "$STAMP_DIR/$name.done"
  fi
  if [[ -f "$STAMP_DIR/$name.done" && -n "$check" ]] && ! "$check" >/dev/null 2>&1; then
    log "stage $name: stamp present but its output is missing; rebuilding"
    rm -f "$STAMP_DIR/$name.done"
  fi
  local dep
  for dep in ${STAGE_DEPS[$name]:-}; do
    if [[ -f "$STAMP_DIR/$name.done" && "$STAMP_DIR/$dep.done" -nt "$STAMP_DIR/$name.done" ]]; then
      log "stage $name: $dep was rebuilt after it; rebuilding"
      rm -f "$STAMP_DIR/$name.done"
    fi
  done
  if [[ -f "$STAMP_DIR/$name.done" && ",${FORCE_STAGES:-}," != *",$name,"* ]]; then
    log "stage $name: cached (stamp $STAMP_DIR/$name.done)"
    STAGE_TIMES+=("$name=cached")
    return 0
  fi
  log "stage $name: starting (log: $logf)"
  start=$(date +%s)
  set +e
  ( set -euo pipefail; "$fn" ) >"$logf" 2>&1
  rc=$?
  set -e
  end=$(date +%s)
  if [[ $rc -ne 0 ]]; then
    printf '[%s] ERROR: stage %s FAILED after %s (exit %d). Last lines of %s:\n' \
      "$(ts)" "$name" "$(fmt_secs $((end - start)))" "$rc" "$logf" >&2
    tail -n 25 "$logf" | sed 's/^/    /' >&2
    printf 'Fix the cause above and rerun; completed stages are skipped. Full log: %s\n' "$logf" >&2
    exit 1
  fi
  printf '%s %s %d inputs=%s\n' "$(date -u +%FT%TZ)" "$name" $((end - start)) "$inputs" >"$STAMP_DIR/$name.done"
  printf '%s %s %d\n' "$(date -u +%FT%TZ)" "$name" $((end - start)) >>"$CACHE_DIR/timings.txt"
  STAGE_TIMES+=("$name=$(fmt_secs $((end - start)))")
  log "stage $name: done in $(fmt_secs $((end - start)))"
}

go_mod_dir() { # go_mod_dir MODULE@VERSION -> prints the module cache dir
  (cd "${TMPDIR:-/tmp}" && GOFLAGS=-mod=mod go mod download -json "$1") | jq -er '.Dir'
}

ensure_docker() {
  if docker info >/dev/null 2>&1; then return 0; fi
  if ! command -v dockerd >/dev/null 2>&1; then
    die "docker is not reachable and dockerd is not installed. Fix: apt-get install docker.io"
  fi
  log "starting dockerd (log /tmp/dockerd.log)"
  nohup dockerd >/tmp/dockerd.log 2>&1 &
  local i
  for i in $(seq 1 60); do
    docker info >/dev/null 2>&1 && return 0
    sleep 1
  done
  die "dockerd did not come up within 60s; see /tmp/dockerd.log"
}

# ---- Debian rootfs helpers ------------------------------------------------
# debootstrap_rootfs DIR PKG...: minbase Debian rootfs plus packages (apt in chroot).
debootstrap_rootfs() {
  local dir=$1; shift
  local mirror; mirror="$(debian_mirror)"
  command -v debootstrap >/dev/null || die "debootstrap is missing. Fix: apt-get install debootstrap"
  [[ $EUID -eq 0 ]] || die "debootstrap and chroot need root. Fix: run as root (or with sudo)"
  chroot_cleanup "$dir"
  rm -rf "$dir"; mkdir -p "$dir" "$WORK_DIR/debootstrap-cache"
  echo "debootstrap $DEBIAN_SUITE from $mirror into $dir"
  debootstrap --variant=minbase --cache-dir="$WORK_DIR/debootstrap-cache" "$DEBIAN_SUITE" "$dir" "$mirror"
  # Use the same Debian suites as the host (updates + security), Debian entries only.
  if [[ -f /etc/apt/sources.list.d/debian.sources ]]; then
    cp /etc/apt/sources.list.d/debian.sources "$dir/etc/apt/sources.list.d/debian.sources"
    : >"$dir/etc/apt/sources.list"
  fi
  cp -L /etc/resolv.conf "$dir/etc/resolv.conf"
  printf '#!/bin/sh\nexit 101\n' >"$dir/usr/sbin/policy-rc.d"; chmod 755 "$dir/usr/sbin/policy-rc.d"
  mount -t proc proc "$dir/proc"
  trap 'chroot_cleanup "'"$dir"'"' EXIT
  chroot "$dir" apt-get update
  DEBIAN_FRONTEND=noninteractive chroot "$dir" apt-get install -y --no-install-recommends "$@"
  chroot "$dir" apt-get clean
  chroot_cleanup "$dir"
  trap - EXIT
  rm -f "$dir/usr/sbin/policy-rc.d"
  rm -rf "$dir"/var/lib/apt/lists/* "$dir"/var/cache/apt/*.bin "$dir"/usr/share/doc/* \
    "$dir"/usr/share/man/* "$dir"/usr/share/info/* "$dir"/var/log/*.log "$dir"/var/log/apt/*
  find "$dir/usr/share/locale" -mindepth 1 -maxdepth 1 ! -name 'locale.alias' -exec rm -rf {} + 2>/dev/null || true
  : >"$dir/etc/resolv.conf"
}

chroot_cleanup() {
  local dir=$1
  if mountpoint -q "$dir/proc" 2>/dev/null; then umount "$dir/proc" || umount -l "$dir/proc" || true; fi
}

image_exists() { docker image inspect "$1" >/dev/null 2>&1; }

# docker import/commit (engine 20.10) reject STOPSIGNAL in --change; a
# metadata-only legacy build from the local image sets it without a registry.
docker_set_stopsignal() { # IMAGE SIGNAL
  printf 'FROM %s\nSTOPSIGNAL %s\n' "$1" "$2" | DOCKER_BUILDKIT=0 docker build -q -t "$1" - 2>&1 \
    | grep -v -e DEPRECATED -e 'legacy builder' -e BuildKit -e 'environment-variable' || true
  [[ "$(docker image inspect "$1" --format '{{.Config.StopSignal}}')" == "$2" ]]
}

# image_id TAG: the image ID a tag points at now (empty if none).
image_id() { docker image inspect --format '{{.Id}}' "$1" 2>/dev/null || true; }
# retire_image OLD_ID: after a tag moved to a new build, remove the old image
# unless something still uses it (running node containers keep theirs).
retire_image() {
  local old=$1
  [[ -n "$old" ]] || return 0
  if [[ -z "$(docker image inspect --format '{{join .RepoTags ","}}' "$old" 2>/dev/null)" ]]; then
    docker rmi "$old" >/dev/null 2>&1 || echo "kept previous image $old (still in use)"
  fi
}
