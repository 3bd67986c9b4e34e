#!/usr/bin/env bash
# Offline build of a kind node image (Kubernetes ${K8S_VERSION}) with no container
# registry: every binary comes from the Go module proxy, the rootfs from Debian
# packages. Idempotent and resumable: each stage writes a stamp in the cache
# directory and is skipped on reruns.
#
# Usage: scripts/offline/build-node-image.sh [--only STAGE[,STAGE]] [--force STAGE[,STAGE]] [--list]
# Env:   HARDENING_LAB_CACHE (default ~/.cache/hardening-lab), K8S_VERSION, ETCD_VERSION, ...
#        DEBIAN_MIRROR (default: the mirror in this host's apt sources)
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
source "$SCRIPT_DIR/lib.sh"
# shellcheck source=standin-lib.sh
source "$SCRIPT_DIR/standin-lib.sh"

K8S_MINOR="${K8S_VERSION#v}"; K8S_MINOR="${K8S_MINOR#*.}"; K8S_MINOR="${K8S_MINOR%%.*}"
K8S_MAJOR="${K8S_VERSION#v}"; K8S_MAJOR="${K8S_MAJOR%%.*}"
STAGING_VERSION="v0.${K8S_MINOR}.${K8S_VERSION##*.}"
GO_BUILD_TAGS="selinux,notest,grpcnotrace"
POD_NETWORK_IMAGE="docker.io/hardening-lab/pod-network:r${RECIPE_REV}"

# ---------------------------------------------------------------------------
stage_k8s_binaries() {
  local mod="$WORK_DIR/k8s-wrapper" kdir build_date commit pkgs ldflags
  mkdir -p "$mod" "$BIN_DIR"
  kdir="$(go_mod_dir "k8s.io/kubernetes@${K8S_VERSION}")"
  echo "k8s.io/kubernetes module: $kdir"
  # Throwaway wrapper module: require k/k and point every staging module that
  # k/k lists at v0.0.0 (it replaces them with ./staging/... locally) at the
  # published v0.<minor>.<patch> module.
  {
    echo "module hardeninglab.local/k8s-wrapper"
    echo
    echo "go 1.24.0"
    echo
    echo "godebug default=go1.24"
    echo
    echo "require k8s.io/kubernetes ${K8S_VERSION}"
    echo
    echo "replace ("
    awk '/^require/,/^\)/' "$kdir/go.mod" | awk '$1 ~ /^k8s\.io\// && $2 == "v0.0.0" {print "\t" $1 " => " $1 " '"$STAGING_VERSION"'"}'
    echo ")"
  } >"$mod/go.mod"
  cat "$mod/go.mod"
  # A main package so the module is buildable on its own (go build needs it
  # for -mod=mod resolution; it is not built).
  printf 'package main\n\nfunc main() {}\n' >"$mod/main.go"
  build_date="$(date -u -d "$(jq -r .Time "$(go env GOMODCACHE)/cache/download/k8s.io/kubernetes/@v/${K8S_VERSION}.info")" +%Y-%m-%dT%H:%M:%SZ)"
  # The module proxy does not record the git commit; kind/kubeadm only use gitVersion.
  commit="0000000000000000000000000000000000000000"
  ldflags=""
  local p
  for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ldflags+=" -X $p.gitVersion=${K8S_VERSION} -X $p.gitMajor=${K8S_MAJOR} -X $p.gitMinor=${K8S_MINOR}"
    ldflags+=" -X $p.gitCommit=${commit} -X $p.gitTreeState=clean -X $p.buildDate=${build_date}"
  done
  ldflags+=" -s -w"
  pkgs=()
  for p in kubeadm kubelet kubectl kube-apiserver kube-controller-manager kube-scheduler kube-proxy; do
    pkgs+=("k8s.io/kubernetes/cmd/$p")
  done
  cd "$mod"
  echo "resolving modules..."
  GOFLAGS=-mod=mod go mod download k8s.io/kubernetes
  echo "building ${pkgs[*]} (GOMAXPROCS=$GOMAXPROCS, -p $NPROC)"
  CGO_ENABLED=0 GOFLAGS=-mod=mod go build -p "$NPROC" -trimpath -tags "$GO_BUILD_TAGS" \
    -ldflags "$ldflags" -o "$BIN_DIR/" "${pkgs[@]}"
  "$BIN_DIR/kubectl" version --client
  "$BIN_DIR/kubeadm" version -o short
  "$BIN_DIR/kubelet" --version
  [[ "$("$BIN_DIR/kubeadm" version -o short)" == "$K8S_VERSION" ]]
}

# ---------------------------------------------------------------------------
stage_etcd() {
  local mod="$WORK_DIR/etcd-wrapper" m
  mkdir -p "$mod/out"
  # etcd's own go.mod replaces its sibling modules with ../ paths, so go install
  # is refused; a wrapper module requires them all at the same release.
  {
    echo "module hardeninglab.local/etcd-wrapper"
    echo
    echo "go 1.23.0"
    echo
    echo "require ("
    for m in server/v3 etcdctl/v3 etcdutl/v3 api/v3 client/pkg/v3 client/v3 pkg/v3; do
      echo "	go.etcd.io/etcd/$m ${ETCD_VERSION}"
    done
    echo ")"
  } >"$mod/go.mod"
  printf 'package main\n\nfunc main() {}\n' >"$mod/main.go"
  cd "$mod"
  GOFLAGS=-mod=mod go mod download go.etcd.io/etcd/server/v3
  # Both binaries in one invocation so shared packages compile once.
  CGO_ENABLED=0 GOFLAGS=-mod=mod go build -p "$NPROC" -trimpath -ldflags "-s -w" -o "$mod/out/" \
    go.etcd.io/etcd/server/v3 go.etcd.io/etcd/etcdctl/v3
  ls -la "$mod/out"
  install -m 0755 "$mod/out/server" "$BIN_DIR/etcd"
  install -m 0755 "$mod/out/etcdctl" "$BIN_DIR/etcdctl"
  "$BIN_DIR/etcd" --version
  "$BIN_DIR/etcdctl" version
}

# CoreDNS with only the plugins a kind cluster's Corefile (and a learner
# editing it) uses. The full build also pulls the AWS, Azure, Google Cloud,
# etcd and Datadog tracing SDKs, which no node runs. Measured cold on an idle
# two-core machine: full 2m41s and 75 MB, this set 1m50s and 53 MB.
COREDNS_PLUGINS=(
  root metadata cancel tls timeouts multisocket reload nsid bufsize bind debug
  ready health pprof metrics errors log local dns64 acl any chaos loadbalance
  cache rewrite header autopath minimal template transfer hosts k8s_external
  kubernetes file auto secondary loop forward whoami
)
stage_coredns() {
  local mod="$WORK_DIR/coredns-wrapper" p
  rm -rf "$mod"; mkdir -p "$mod"
  {
    echo "module hardeninglab.local/coredns-wrapper"
    echo
    echo "go 1.24.0"
    echo
    echo "require github.com/coredns/coredns ${COREDNS_VERSION}"
  } >"$mod/go.mod"
  # Same shape as CoreDNS's own coredns.go, with an explicit plugin list in
  # place of its generated all-plugins import. The directive order (which
  # plugin runs first) stays CoreDNS's own, from core/dnsserver.
  {
    echo "// Generated by build-node-image.sh: CoreDNS with a chosen plugin set."
    echo "package main"
    echo
    echo "import ("
    echo "	_ \"github.com/coredns/caddy/onevent\""
    for p in "${COREDNS_PLUGINS[@]}"; do echo "	_ \"github.com/coredns/coredns/plugin/$p\""; done
    echo "	\"github.com/coredns/coredns/coremain\""
    echo ")"
    echo
    echo "func main() { coremain.Run() }"
  } >"$mod/main.go"
  cd "$mod"
  echo "plugins: ${COREDNS_PLUGINS[*]} on"
  CGO_ENABLED=0 GOFLAGS=-mod=mod go build -p "$NPROC" -trimpath -ldflags "-s -w" -o "$BIN_DIR/coredns" .
  "$BIN_DIR/coredns" -version
  # The kubeadm Corefile's plugins must all be there.
  local have; have="$("$BIN_DIR/coredns" -plugins)"
  for p in errors health ready kubernetes prometheus forward cache loop reload loadbalance; do
    grep -qx "$p" <<<"$have" || die "coredns lacks plugin $p (kubeadm's Corefile uses it)"
  done
}

stage_crictl() {
  CGO_ENABLED=0 GOBIN="$BIN_DIR" go install -trimpath \
    -ldflags "-s -w -X sigs.k8s.io/cri-tools/pkg/version.Version=${CRICTL_VERSION}" \
    "sigs.k8s.io/cri-tools/cmd/crictl@${CRICTL_VERSION}"
  "$BIN_DIR/crictl" --version
}

stage_pause() {
  local kdir
  kdir="$(go_mod_dir "k8s.io/kubernetes@${K8S_VERSION}")"
  command -v gcc >/dev/null || die "gcc is missing. Fix: apt-get install gcc libc6-dev"
  gcc -Os -Wall -Werror -static -DVERSION="v${PAUSE_VERSION}-hardening-lab" \
    -o "$BIN_DIR/pause" "$kdir/build/pause/linux/pause.c"
  strip "$BIN_DIR/pause"
  "$BIN_DIR/pause" -v
}

# ---------------------------------------------------------------------------
# Component images: each one a single-layer image imported from a tar of the
# static binary, tagged exactly as kubeadm expects (registry.k8s.io/...).
_distroless_tree() { # minimal /etc and /tmp like a distroless image
  local t=$1
  rm -rf "$t"; mkdir -p "$t"/{etc/ssl/certs,tmp,usr/local/bin,var/run,home/nonroot,root}
  chmod 1777 "$t/tmp"
  printf 'root:x:0:0:root:/root:/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n' >"$t/etc/passwd"
  printf 'root:x:0:\nnobody:x:65534:\nnonroot:x:65532:\n' >"$t/etc/group"
  printf 'hosts: files dns\n' >"$t/etc/nsswitch.conf"
  if [[ -f /etc/ssl/certs/ca-certificates.crt ]]; then cp /etc/ssl/certs/ca-certificates.crt "$t/etc/ssl/certs/"; fi
}

component_image_list() { "$BIN_DIR/kubeadm" config images list --kubernetes-version "$K8S_VERSION" 2>/dev/null; }

stage_component_images() {
  local t="$WORK_DIR/component-tree" img name tags=() path_env='ENV PATH=/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin'
  mapfile -t images < <(component_image_list)
  [[ ${#images[@]} -gt 0 ]] || die "kubeadm config images list returned nothing"
  printf 'kubeadm expects: %s\n' "${images[@]}"
  for img in "${images[@]}"; do
    name="${img##*/}"; name="${name%%:*}"
    case "$name" in
      kube-apiserver|kube-controller-manager|kube-scheduler)
        _distroless_tree "$t"; install -m 0755 "$BIN_DIR/$name" "$t/usr/local/bin/$name"
        tar -C "$t" --numeric-owner -c . | docker import --change "$path_env" - "$img" ;;
      kube-proxy)
        # kube-proxy execs iptables/conntrack: use the small Debian rootfs.
        rm -rf "$t"; cp -a "$SLIM_ROOTFS" "$t"; install -m 0755 "$BIN_DIR/kube-proxy" "$t/usr/local/bin/kube-proxy"
        tar -C "$t" --numeric-owner -c . | docker import --change "$path_env" - "$img" ;;
      etcd)
        [[ "$img" == *":${ETCD_VERSION#v}-"* ]] || die "kubeadm wants $img but ETCD_VERSION=$ETCD_VERSION. Fix: set ETCD_VERSION to match"
        _distroless_tree "$t"; install -m 0755 "$BIN_DIR/etcd" "$BIN_DIR/etcdctl" "$t/usr/local/bin/"
        mkdir -p "$t/var/lib/etcd"
        tar -C "$t" --numeric-owner -c . | docker import --change "$path_env" - "$img" ;;
      coredns)
        [[ "$img" == *":${COREDNS_VERSION}" ]] || die "kubeadm wants $img but COREDNS_VERSION=$COREDNS_VERSION. Fix: set COREDNS_VERSION to match"
        _distroless_tree "$t"; install -m 0755 "$BIN_DIR/coredns" "$t/coredns"
        tar -C "$t" --numeric-owner -c . | docker import --change "$path_env" \
          --change 'EXPOSE 53 53/udp' --change 'ENTRYPOINT ["/coredns"]' - "$img" ;;
      pause)
        [[ "$img" == *":${PAUSE_VERSION}" ]] || die "kubeadm wants $img but PAUSE_VERSION=$PAUSE_VERSION. Fix: set PAUSE_VERSION to match"
        _distroless_tree "$t"; install -m 0755 "$BIN_DIR/pause" "$t/pause"
        tar -C "$t" --numeric-owner -c . | docker import --change 'USER 65535:65535' --change 'ENTRYPOINT ["/pause"]' - "$img" ;;
      *) die "no recipe for component image $img (kubeadm $K8S_VERSION). Fix: extend stage_component_images" ;;
    esac
    tags+=("$img")
  done
  printf '%s\n' "${tags[@]}" >"$WORK_DIR/component-images.txt.tmp"
  # The offline pod network (instead of kindnetd): small Debian rootfs + our loop script.
  rm -rf "$t"; cp -a "$SLIM_ROOTFS" "$t"
  install -m 0755 "$SCRIPT_DIR/node-files/hardening-lab-pod-network" "$t/usr/local/bin/hardening-lab-pod-network"
  tar -C "$t" --numeric-owner -c . | docker import --change "$path_env" \
    --change 'CMD ["/usr/local/bin/hardening-lab-pod-network"]' - "$POD_NETWORK_IMAGE"
  tags+=("$POD_NETWORK_IMAGE")
  rm -rf "$t"
  docker save -o "$WORK_DIR/component-images.tar.tmp" "${tags[@]}"
  mv "$WORK_DIR/component-images.tar.tmp" "$WORK_DIR/component-images.tar"
  # They live on in the tar (and in the node image); drop them from Docker.
  docker rmi "${tags[@]}" >/dev/null
  mv "$WORK_DIR/component-images.txt.tmp" "$WORK_DIR/component-images.txt"
  printf '%s\n' "${tags[@]}" >"$WORK_DIR/node-images.txt"
  ls -la "$WORK_DIR/component-images.tar"
}

check_component_images() { [[ -s "$WORK_DIR/component-images.tar" && -s "$WORK_DIR/node-images.txt" ]]; }

# ---------------------------------------------------------------------------
NODE_ROOTFS="$WORK_DIR/node-rootfs"
NODE_PACKAGES=(
  # what kind's base image installs (minus nfs/iscsi/fuse-overlayfs)
  systemd conntrack iptables nftables iproute2 ethtool util-linux mount kmod
  libseccomp2 pigz bash ca-certificates curl jq procps
  # container runtime from Debian instead of kind's own builds
  containerd runc containernetworking-plugins
  # node tools the labs use
  strace vim-tiny nano less apparmor iputils-ping netcat-openbsd tcpdump
)

stage_node_rootfs() {
  debootstrap_rootfs "$NODE_ROOTFS" "${NODE_PACKAGES[@]}"
  du -sh "$NODE_ROOTFS"
}

check_node_rootfs() { [[ -x "$NODE_ROOTFS/usr/bin/containerd" ]]; }

# Lays kind's base files and our node tweaks over the rootfs. Idempotent, so it
# can be rerun on the same rootfs (--force node-files).
stage_node_files() {
  local kindmod files r="$NODE_ROOTFS" f
  kindmod="$(go_mod_dir "sigs.k8s.io/kind@${KIND_VERSION}")"
  files="$kindmod/images/base/files"
  [[ -d "$files" ]] || die "kind module has no images/base/files at $files"

  # kind's base image files, read from the kind module at build time
  # (same layout as kind's images/base/Dockerfile COPY steps).
  install -m 0755 "$files"/usr/local/bin/* "$r/usr/local/bin/"
  mkdir -p "$r/kind/bin" "$r/etc/containerd" "$r/etc/default" "$r/etc/sysctl.d" "$r/etc/systemd/system/kubelet.service.d"
  cp -r "$files/kind/." "$r/kind/"; chmod -R u=rwX,go=rX "$r/kind"; chmod 0755 "$r/kind/bin" "$r"/kind/bin/*
  install -m 0644 "$files/etc/crictl.yaml" "$r/etc/crictl.yaml"
  install -m 0644 "$files"/etc/containerd/* "$r/etc/containerd/"
  install -m 0644 "$files"/etc/default/* "$r/etc/default/"
  install -m 0644 "$files"/etc/sysctl.d/* "$r/etc/sysctl.d/"
  for f in "$files"/etc/systemd/system/*; do [[ -f "$f" ]] && install -m 0644 "$f" "$r/etc/systemd/system/"; done
  install -m 0644 "$files"/etc/systemd/system/kubelet.service.d/* "$r/etc/systemd/system/kubelet.service.d/"

  # Debian's containerd lives in /usr/bin; kind's unit starts /usr/local/bin/containerd.
  ln -sf /usr/bin/containerd "$r/usr/local/bin/containerd"
  # Debian containerd is 1.6 (config version 2, which kind's file already uses);
  # point the sandbox image at the pause tag kubeadm ${K8S_VERSION} expects.
  sed -i -E "s#sandbox_image = \"[^\"]*\"#sandbox_image = \"registry.k8s.io/pause:${PAUSE_VERSION}\"#" "$r/etc/containerd/config.toml"
  grep -q "pause:${PAUSE_VERSION}" "$r/etc/containerd/config.toml"
  # Never give a container a lower oom_score_adj than containerd's own (-999):
  # the same on normal hosts (kubelet never asks for less), and it lets nodes
  # run where CAP_SYS_RESOURCE is missing (see host-docker-caps.sh).
  sed -i 's/restrict_oom_score_adj = false/restrict_oom_score_adj = true/' "$r/etc/containerd/config.toml"
  grep -q 'restrict_oom_score_adj = true' "$r/etc/containerd/config.toml"
  # The base OCI spec kind's containerd config refers to (as in kind's Dockerfile).
  chroot "$r" ctr oci spec \
    | jq '.hooks.createContainer[.hooks.createContainer | length] |= . + {"path": "/kind/bin/mount-product-files.sh"}' \
    | jq 'del(.process.rlimits)' >"$r/etc/containerd/cri-base.json"
  jq -e '.hooks.createContainer | length == 1' "$r/etc/containerd/cri-base.json"

  # CNI plugins where containerd's CRI plugin looks for them.
  mkdir -p "$r/opt/cni/bin" "$r/etc/cni/net.d"
  for f in ptp host-local loopback portmap bridge; do ln -sf "/usr/lib/cni/$f" "$r/opt/cni/bin/$f"; done

  # systemd tweaks for running as a container (as kind's base Dockerfile does).
  find "$r/lib/systemd/system/sysinit.target.wants/" -name "systemd-tmpfiles-setup.service" -delete
  rm -f "$r"/lib/systemd/system/multi-user.target.wants/* "$r"/etc/systemd/system/*.wants/* \
    "$r"/lib/systemd/system/local-fs.target.wants/* "$r"/lib/systemd/system/sockets.target.wants/*udev* \
    "$r"/lib/systemd/system/sockets.target.wants/*initctl* "$r"/lib/systemd/system/basic.target.wants/*
  grep -qx "ReadKMsg=no" "$r/etc/systemd/journald.conf" || echo "ReadKMsg=no" >>"$r/etc/systemd/journald.conf"
  ln -sf /lib/systemd/systemd "$r/sbin/init"
  chroot "$r" systemctl enable kubelet.service containerd.service undo-mount-hacks.service
  chroot "$r" systemctl mask systemd-binfmt.service
  mkdir -p "$r/etc/kubernetes/manifests"
  rm -f "$r/etc/machine-id"; : >"$r/etc/machine-id"
  printf 'hardening-lab offline node base: Debian %s rootfs, kind %s base files, Debian containerd/runc\n' \
    "$DEBIAN_SUITE" "$KIND_VERSION" >"$r/kind/hardening-lab-offline.txt"
  du -sh "$r"
}

check_node_files() { [[ -f "$NODE_ROOTFS/etc/containerd/cri-base.json" ]]; }

stage_base_image() {
  local old; old="$(image_id "$OFFLINE_BASE_IMAGE")"
  tar -C "$NODE_ROOTFS" --numeric-owner -c . | docker import \
    --change 'ENV container=docker' \
    --change 'ENTRYPOINT ["/usr/local/bin/entrypoint", "/sbin/init"]' \
    - "$OFFLINE_BASE_IMAGE"
  docker_set_stopsignal "$OFFLINE_BASE_IMAGE" SIGRTMIN+3
  docker image inspect "$OFFLINE_BASE_IMAGE" --format '{{.Id}} {{.Size}}'
  retire_image "$old"
}

check_base_image() { image_exists "$OFFLINE_BASE_IMAGE"; }

# The steps of `kind build node-image`, done by hand without a registry.
stage_node_image() {
  local cid="hardening-lab-nodebuild-$$" want have missing=0 b old
  old="$(image_id "$OFFLINE_NODE_IMAGE")"
  docker rm -f "$cid" >/dev/null 2>&1 || true
  trap 'docker rm -f "'"$cid"'" >/dev/null 2>&1 || true' EXIT
  docker run -d --name "$cid" --entrypoint=sleep --security-opt seccomp=unconfined \
    "$OFFLINE_BASE_IMAGE" infinity
  for b in kubeadm kubelet kubectl crictl etcdctl; do
    local dest=/usr/bin/$b
    [[ $b == crictl || $b == etcdctl ]] && dest=/usr/local/bin/$b
    docker cp "$BIN_DIR/$b" "$cid:$dest"
    docker exec "$cid" chown root:root "$dest"
    docker exec "$cid" chmod 0755 "$dest"
  done
  docker exec "$cid" sh -c "printf '%s' '$K8S_VERSION' >/kind/version"
  # kind applies /kind/manifests/default-cni.yaml unless disableDefaultCNI is
  # set. kindnetd's image cannot be built offline: our pod-network DaemonSet
  # takes its place, so the product's kind config works unchanged.
  sed "s#POD_NETWORK_IMAGE#${POD_NETWORK_IMAGE}#" "$SCRIPT_DIR/node-files/pod-network.yaml" \
    | docker exec -i "$cid" sh -c 'mkdir -p /kind/manifests && cat >/kind/manifests/default-cni.yaml'
  mapfile -t want < <(docker exec "$cid" kubeadm config images list --kubernetes-version "$K8S_VERSION")
  diff <(printf '%s\n' "${want[@]}" | sort) <(sort "$WORK_DIR/component-images.txt") \
    || die "component images differ from what kubeadm in the node expects; rerun with --force component-images"
  # containerd inside the build container, only to fill its image store.
  docker exec -d "$cid" sh -c 'containerd >/var/log/containerd-build.log 2>&1'
  for b in $(seq 1 30); do docker exec "$cid" ctr version >/dev/null 2>&1 && break; sleep 1; done
  docker exec "$cid" ctr version
  docker exec -i "$cid" ctr -n k8s.io images import --all-platforms --no-unpack --digests - \
    <"$WORK_DIR/component-images.tar"
  have="$(docker exec "$cid" ctr -n k8s.io images ls -q)"
  echo "$have"
  while read -r b; do
    grep -qxF "$b" <<<"$have" || { echo "MISSING in node containerd: $b"; missing=1; }
  done <"$WORK_DIR/node-images.txt"
  [[ $missing -eq 0 ]] || die "image import incomplete"
  docker exec "$cid" sh -c 'kill $(pidof containerd); for i in $(seq 1 20); do pidof containerd >/dev/null || exit 0; sleep 0.5; done; exit 1'
  docker exec "$cid" sh -c 'rm -rf /var/log/containerd-build.log /run/containerd /tmp/*'
  docker commit \
    --change 'ENTRYPOINT ["/usr/local/bin/entrypoint", "/sbin/init"]' \
    --change 'CMD []' \
    --change 'ENV container=docker' \
    --change "LABEL io.hardening-lab.offline=true io.hardening-lab.kubernetes=${K8S_VERSION}" \
    "$cid" "$OFFLINE_NODE_IMAGE"
  docker rm -f "$cid" >/dev/null
  trap - EXIT
  docker image inspect "$OFFLINE_NODE_IMAGE" --format '{{json .Config.Entrypoint}} {{json .Config.Cmd}} {{.Config.StopSignal}} {{.Size}}'
  [[ "$(docker image inspect "$OFFLINE_NODE_IMAGE" --format '{{.Config.StopSignal}}')" == "SIGRTMIN+3" ]] \
    || docker_set_stopsignal "$OFFLINE_NODE_IMAGE" SIGRTMIN+3
  retire_image "$old"
}

check_node_image() { image_exists "$OFFLINE_NODE_IMAGE"; }

STAGE_INPUTS=(
  [component-images]="$SCRIPT_DIR/node-files/hardening-lab-pod-network"
  [node-image]="$SCRIPT_DIR/node-files/pod-network.yaml"
  [standin-images]="$SCRIPT_DIR/standin-lib.sh"
)

# ---------------------------------------------------------------------------
STAGES=(k8s-binaries etcd coredns crictl pause slim-rootfs component-images node-rootfs node-files base-image node-image standin-images)
# Lanes (see main): every stage in exactly one; a lane's order respects STAGE_DEPS.
GO_LANE=(k8s-binaries etcd coredns crictl pause)
DEBIAN_LANE=(slim-rootfs standin-images node-rootfs node-files base-image)
FINAL_LANE=(component-images node-image)
DEBIAN_LANE_DONE="$WORK_DIR/.debian-lane-times"
declare -A STAGE_FN=(
  [k8s-binaries]=stage_k8s_binaries
  [etcd]=stage_etcd
  [coredns]=stage_coredns
  [crictl]=stage_crictl
  [pause]=stage_pause
  [slim-rootfs]=stage_slim_rootfs
  [component-images]=stage_component_images
  [node-rootfs]=stage_node_rootfs
  [node-files]=stage_node_files
  [base-image]=stage_base_image
  [node-image]=stage_node_image
  [standin-images]=stage_standin_images
)
declare -A STAGE_CHECK=(
  [slim-rootfs]=check_slim_rootfs
  [component-images]=check_component_images
  [node-rootfs]=check_node_rootfs
  [node-files]=check_node_files
  [base-image]=check_base_image
  [node-image]=check_node_image
  [standin-images]=check_standin_images
)

main() {
  local only="" t0
  while [[ $# -gt 0 ]]; do
    case "$1" in
      --only) only="$2"; shift 2 ;;
      --force) export FORCE_STAGES="$2"; shift 2 ;;
      --list) printf '%s\n' "${STAGES[@]}"; return 0 ;;
      -h|--help) sed -n '2,9p' "${BASH_SOURCE[0]}"; return 0 ;;
      *) die "unknown argument: $1 (see --help)" ;;
    esac
  done
  command -v go >/dev/null || die "go is not installed. Fix: install Go >= 1.24 (apt-get install golang-go is too old; use the Go toolchain)"
  command -v jq >/dev/null || die "jq is missing. Fix: apt-get install jq"
  mkdir -p "$CACHE_DIR" "$BIN_DIR" "$LOG_DIR" "$STAMP_DIR" "$WORK_DIR"
  ensure_docker
  log "offline node image build: $OFFLINE_NODE_IMAGE"
  log "cache: $CACHE_DIR"
  t0=$(date +%s)
  # Two lanes: the Go builds are CPU-bound, the Debian stages mostly wait on
  # the mirror and the disk, so running them side by side shortens a cold
  # build on two cores by the length of the Debian lane.
  local debian_pid rc=0
  rm -f "$DEBIAN_LANE_DONE"
  # The lane's times go back through a file, written last: it doubles as
  # the lane's "finished" mark (see run_lane).
  ( STAGE_TIMES=(); run_lane "$only" "${DEBIAN_LANE[@]}"
    if [[ ${#STAGE_TIMES[@]} -gt 0 ]]; then printf '%s\n' "${STAGE_TIMES[@]}"; fi >"$DEBIAN_LANE_DONE" ) &
  debian_pid=$!
  # A failed Go stage exits this shell: stop the Debian lane with it.
  trap 'kill_tree "$debian_pid"' EXIT
  DEBIAN_LANE_PID=$debian_pid run_lane "$only" "${GO_LANE[@]}"
  wait "$debian_pid" || rc=$?
  trap - EXIT
  [[ $rc -eq 0 ]] || die "the Debian lane failed (see the stage error above)"
  mapfile -t -O "${#STAGE_TIMES[@]}" STAGE_TIMES <"$DEBIAN_LANE_DONE"
  run_lane "$only" "${FINAL_LANE[@]}"
  log "all stages finished in $(fmt_secs $(( $(date +%s) - t0 ))): ${STAGE_TIMES[*]}"
}

# run_lane ONLY STAGE...: runs the stages in order (those named in ONLY, or all).
# With DEBIAN_LANE_PID set, stops between stages once that lane has failed,
# rather than building for another ten minutes before saying so.
run_lane() {
  local only=$1 s; shift
  for s in "$@"; do
    # The lane writes its times file last: gone without it means it failed.
    if [[ -n "${DEBIAN_LANE_PID:-}" ]] && ! kill -0 "$DEBIAN_LANE_PID" 2>/dev/null \
      && [[ ! -f "$DEBIAN_LANE_DONE" ]]; then
      die "the Debian lane failed (see the stage error above)"
    fi
    if [[ -n "$only" && ",$only," != *",$s,"* ]]; then continue; fi
    run_stage "$s" "${STAGE_FN[$s]}" "${STAGE_CHECK[$s]:-}"
  done
}

kill_tree() { # PID: the process and everything it started
  local c
  for c in $(pgrep -P "$1" 2>/dev/null); do kill_tree "$c"; done
  kill "$1" 2>/dev/null || true
}

main "$@"; exit $?
