#!/usr/bin/env bash
# Cluster test tier (npm run test:cluster): creates a real kind cluster, runs
# tests/cluster/**/*.test.ts against it, deletes it.
#
# Usage: scripts/test-cluster.sh [--keep] [--offline|--online] [-- <vitest args>]
#   --keep      keep the cluster afterwards (delete: kind delete cluster --name <name>)
#   --offline   force the offline node image and stand-in images (= HARDENING_LAB_OFFLINE=1)
#   --online    force kind's official image kindest/node:v1.34.0 (= HARDENING_LAB_OFFLINE=0)
# Env: HARDENING_LAB_TEST_CLUSTER (default hardening-lab-test; must start with hardening-lab-test)
#      HARDENING_LAB_OFFLINE (1/0; default: probe Docker Hub), HARDENING_LAB_STATE_DIR, HARDENING_LAB_CACHE
# The kubeconfig goes to <state>/clusters/<name>/kubeconfig, never ~/.kube/config.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=offline/lib.sh
source "$REPO_ROOT/scripts/offline/lib.sh"
# shellcheck source=offline/standin-lib.sh
source "$REPO_ROOT/scripts/offline/standin-lib.sh"

KIND_MODULE_VERSION="v0.30.0"
ONLINE_NODE_IMAGE="kindest/node:v1.34.0"
CLUSTER="${HARDENING_LAB_TEST_CLUSTER:-hardening-lab-test}"
KEEP=0
MODE="${HARDENING_LAB_OFFLINE:-auto}"
VITEST_ARGS=()

while [[ $# -gt 0 ]]; do
  case "$1" in
    --keep) KEEP=1; shift ;;
    --offline) MODE=1; shift ;;
    --online) MODE=0; shift ;;
    --) shift; VITEST_ARGS=("$@"); break ;;
    -h|--help) sed -n '2,11p' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) die "unknown argument: $1 (see --help)" ;;
  esac
done

[[ "$CLUSTER" == hardening-lab-test* ]] \
  || die "test cluster name \"$CLUSTER\" must start with hardening-lab-test (the product's own cluster is never touched)"

STATE_BASE="${HARDENING_LAB_STATE_DIR:-${XDG_STATE_HOME:-$HOME/.local/state}/hardening-lab}"
CLUSTER_STATE="$STATE_BASE/clusters/$CLUSTER"
KUBECONFIG_PATH="$CLUSTER_STATE/kubeconfig"

PHASES=()
T_ALL=$(date +%s)
T_PHASE=0
phase() { T_PHASE=$(date +%s); log "== $1"; CURRENT_PHASE="$1"; }
phase_done() {
  local s=$(( $(date +%s) - T_PHASE ))
  PHASES+=("$CURRENT_PHASE=$(fmt_secs "$s")")
  log "   $CURRENT_PHASE took $(fmt_secs "$s")"
}
summary() {
  log "phase timings: ${PHASES[*]:-none} (total $(fmt_secs $(( $(date +%s) - T_ALL ))))"
}

KIND=""
CREATED=0
cleanup() {
  local rc=$? failed_phase="${CURRENT_PHASE:-startup}"
  if [[ $CREATED -eq 1 ]]; then
    if [[ $KEEP -eq 1 ]]; then
      log "keeping cluster $CLUSTER (--keep). KUBECONFIG=$KUBECONFIG_PATH; delete: $KIND delete cluster --name $CLUSTER"
    else
      phase "delete cluster"
      "$KIND" delete cluster --name "$CLUSTER" --kubeconfig "$KUBECONFIG_PATH" >/dev/null 2>&1 \
        || log "WARNING: could not delete cluster $CLUSTER; run: $KIND delete cluster --name $CLUSTER"
      rm -f "$KUBECONFIG_PATH"
      phase_done
    fi
  fi
  summary
  if [[ $rc -ne 0 ]]; then log "FAILED in phase: $failed_phase (exit $rc)"; fi
  exit $rc
}
trap cleanup EXIT

main() {
  # ---------------------------------------------------------------------------
  phase "docker"
  ensure_docker
  # Hosts whose capability bounding set is incomplete cannot run privileged
  # containers (kind nodes) with Docker 20.10; this installs a runc wrapper
  # runtime there and is a no-op elsewhere.
  bash "$REPO_ROOT/scripts/offline/host-docker-caps.sh"
  phase_done

  phase "host limits"
  for kv in fs.inotify.max_user_watches=524288 fs.inotify.max_user_instances=512; do
    key="${kv%%=*}"; want="${kv#*=}"
    have="$(sysctl -n "$key" 2>/dev/null || echo 0)"
    if [[ "$have" -lt "$want" ]]; then
      sysctl -qw "$kv" 2>/dev/null \
        || log "WARNING: $key=$have and cannot be raised (not root?). kind nodes may fail with 'too many open files'. Fix: sudo sysctl -w $kv"
    fi
  done
  phase_done

  phase "kind"
  if command -v kind >/dev/null 2>&1; then
    KIND="$(command -v kind)"
  elif [[ -x "${GOBIN:-$(go env GOPATH 2>/dev/null || echo "$HOME/go")/bin}/kind" ]]; then
    KIND="${GOBIN:-$(go env GOPATH 2>/dev/null || echo "$HOME/go")/bin}/kind"
  else
    command -v go >/dev/null || die "kind is not installed and go is missing. Fix: install Go, then go install sigs.k8s.io/kind@$KIND_MODULE_VERSION"
    log "installing kind $KIND_MODULE_VERSION with go install"
    go install "sigs.k8s.io/kind@$KIND_MODULE_VERSION"
    KIND="$(go env GOPATH)/bin/kind"
    [[ -n "$(go env GOBIN)" ]] && KIND="$(go env GOBIN)/kind"
  fi
  kind_version="$("$KIND" version 2>/dev/null | awk '{print $2}')"
  log "kind: $KIND ($kind_version)"
  [[ "$kind_version" == "$KIND_MODULE_VERSION" ]] || log "WARNING: expected kind $KIND_MODULE_VERSION, found $kind_version"
  phase_done

  phase "mode"
  if [[ "$MODE" == auto ]]; then
    # Docker Hub answers /v2/ with 401 when reachable: any HTTP answer counts.
    if curl -sS -m 5 -o /dev/null https://registry-1.docker.io/v2/ 2>/dev/null; then MODE=0; else MODE=1; fi
    log "registry probe: $([[ $MODE == 0 ]] && echo reachable || echo unreachable)"
  fi
  if [[ "$MODE" == 1 ]]; then
    log "offline: node image $OFFLINE_NODE_IMAGE, stand-in images ${NGINX_TAGS[*]} ${BUSYBOX_TAGS[*]}"
  else
    log "online: node image $ONLINE_NODE_IMAGE, workload images from their registries"
  fi
  phase_done

  if [[ "$MODE" == 1 ]]; then
    phase "offline images (cached build)"
    bash "$REPO_ROOT/scripts/offline/build-node-image.sh"
    phase_done
    NODE_IMAGE="$OFFLINE_NODE_IMAGE"
  else
    NODE_IMAGE="$ONLINE_NODE_IMAGE"
  fi

  phase "config"
  mkdir -p "$CLUSTER_STATE"
  CONFIG="$(bash "$REPO_ROOT/scripts/offline/derive-kind-config.sh" --image "$NODE_IMAGE" --out "$CLUSTER_STATE/kind-config.yaml")"
  log "kind config: $CONFIG"
  phase_done

  phase "create cluster"
  if "$KIND" get clusters 2>/dev/null | grep -qxF "$CLUSTER"; then
    log "deleting a leftover cluster named $CLUSTER"
    "$KIND" delete cluster --name "$CLUSTER" >/dev/null 2>&1 || true
  fi
  CREATED=1
  # cwd = repository root: kind resolves relative extraMounts hostPaths against it.
  if ! (cd "$REPO_ROOT" && "$KIND" create cluster --name "$CLUSTER" --config "$CONFIG" \
          --image "$NODE_IMAGE" --kubeconfig "$KUBECONFIG_PATH" --wait 5m); then
    logs_dir="$CLUSTER_STATE/kind-logs-$(date -u +%Y%m%dT%H%M%SZ)"
    "$KIND" export logs "$logs_dir" --name "$CLUSTER" >/dev/null 2>&1 || true
    die "kind create cluster failed. Node logs: $logs_dir. Rerun with --keep to inspect the nodes (docker exec -it $CLUSTER-control-plane bash)."
  fi
  phase_done

  phase "lab images"
  # What `hardening-lab up` does after creating a cluster: every image the
  # labs declare, loaded from this host's Docker where a node lacks it (the
  # offline stand-ins), or left to the registry. Exit 3 = some image is in
  # neither place (its lab is reported not runnable, e.g. Falco offline).
  rc=0
  (cd "$REPO_ROOT" && HARDENING_LAB_OFFLINE="$MODE" HARDENING_LAB_STATE_DIR="$STATE_BASE" \
    node server/bin.mjs load-images --name "$CLUSTER") || rc=$?
  [[ $rc -eq 0 || $rc -eq 3 ]] || die "loading the labs' images into the nodes failed (exit $rc)"
  phase_done

  phase "tests"
  (cd "$REPO_ROOT" && KUBECONFIG="$KUBECONFIG_PATH" HARDENING_LAB_CLUSTER="$CLUSTER" HARDENING_LAB_OFFLINE="$MODE" \
    npx vitest run --config tests/cluster/vitest.config.ts "${VITEST_ARGS[@]}")
  phase_done
}

# Everything runs inside main so that editing this file during a run is safe.
main "$@"; exit $?
