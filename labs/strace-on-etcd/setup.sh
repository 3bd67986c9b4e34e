# Keeps a pristine copy of the apiserver manifest ON THE NODE, so that
# cleanup.sh can undo step 4 by itself (test-lab runs cleanup without the
# engine's Reset). The first copy wins: a rerun must not save an edited one.
state=/root/.hardening-lab/strace-on-etcd
manifest=/etc/kubernetes/manifests/kube-apiserver.yaml
mkdir -p "$state"
if [[ ! -f $state/kube-apiserver.yaml.orig ]]; then
  if grep -q -- '--encryption-provider-config' "$manifest"; then
    echo "note: $manifest already has --encryption-provider-config; saving it as the state to restore." >&2
  fi
  cp -p "$manifest" "$state/kube-apiserver.yaml.orig"
fi
command -v strace >/dev/null || echo "note: strace is not installed on this node yet; step 1 shows how to install it."
