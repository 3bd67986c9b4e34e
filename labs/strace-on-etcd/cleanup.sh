# Undoes every step, so that step 1's check fails again and the cluster is
# as the lab found it:
#   - strace stopped (whatever traces etcd, found through /proc, not by name),
#     trace file and pid file removed;
#   - encryption at rest turned OFF WITHOUT LOSING SECRETS: merely restoring
#     the manifest would leave every rewritten secret encrypted in etcd with a
#     key the apiserver no longer has ("no matching prefix"/"identity
#     transformer tried to read encrypted data"). So, when etcd holds
#     encrypted values, the apiserver first runs with the learner's keys behind
#     an identity-first config, every affected resource is rewritten in
#     plaintext, and only then the pristine manifest (saved by setup.sh) is
#     put back;
#   - lab-secret deleted, the EncryptionConfiguration files removed.
# Idempotent: with nothing to undo it only looks.
state=/root/.hardening-lab/strace-on-etcd
orig=$state/kube-apiserver.yaml.orig
manifest=/etc/kubernetes/manifests/kube-apiserver.yaml
decrypt_dir=/etc/kubernetes/hardening-lab-decrypt
flag=--encryption-provider-config

log() { echo "cleanup: $*"; }

# --- strace ---------------------------------------------------------------
tracers=()
for pid in $(pgrep -x etcd || true); do
  mapfile -t -O "${#tracers[@]}" tracers < <(awk '/^TracerPid:/ && $2 != 0 {print $2}' /proc/"$pid"/task/*/status 2>/dev/null | sort -u)
done
[[ -f /root/etcd-strace.pid ]] && tracers+=("$(cat /root/etcd-strace.pid)")
for pid in "${tracers[@]}"; do
  # Only strace processes: a stale pid file may name an unrelated process by now.
  if [[ $(cat /proc/"$pid"/comm 2>/dev/null || true) == strace ]]; then
    log "stopping strace (pid $pid)"
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  fi
done
rm -f /root/etcd-trace.txt /root/etcd-strace.pid /root/etcd-strace.log
# The copy step 4 tells the learner to keep (the manifest itself is restored below).
rm -f /root/kube-apiserver.yaml.bak

# --- helpers for the apiserver and etcd -----------------------------------
# The config path in a NUL-separated command line (both --flag=v and --flag v).
flag_value() { tr '\0' '\n' | awk -v f="$flag" 'p {print; exit} index($0, f "=") == 1 {print substr($0, length(f) + 2); exit} $0 == f {p = 1}'; }
manifest_flag() { grep -o -- "$flag[= ][^ ]*" "$1" 2>/dev/null | head -n1 | sed "s/^$flag[= ]//" || true; }

apiserver_pid() { pgrep -x kube-apiserver | head -n1 || true; }

# Waits until the running apiserver uses config $1 ("" = no encryption flag) and is ready.
wait_apiserver() {
  local want=$1 deadline=$((SECONDS + 150)) pid have
  while ((SECONDS < deadline)); do
    pid=$(apiserver_pid)
    if [[ -n $pid ]]; then
      have=$(flag_value </proc/"$pid"/cmdline 2>/dev/null || true)
      if [[ $have == "$want" ]] && kubectl --request-timeout=5s get --raw=/readyz >/dev/null 2>&1; then return 0; fi
    fi
    sleep 2
  done
  log "kube-apiserver did not come back with ${want:-no encryption config} within 150 s." >&2
  log "look: crictl ps -a --name kube-apiserver; crictl logs \$(crictl ps -a --name kube-apiserver -q | head -n1)" >&2
  return 1
}

# etcdctl inside the etcd container: kind's etcd image has etcdctl but no shell,
# and the official kind node has no etcdctl of its own.
etcdctl_in_pod() {
  local ctr
  ctr=$(crictl ps -q --name '^etcd$' --state running | head -n1)
  [[ -n $ctr ]] || { log "etcd is not running" >&2; return 1; }
  crictl exec "$ctr" etcdctl --endpoints=https://127.0.0.1:2379 --cacert=/etc/kubernetes/pki/etcd/ca.crt \
    --cert=/etc/kubernetes/pki/etcd/server.crt --key=/etc/kubernetes/pki/etcd/server.key "$@"
}

# Keys under /registry/ whose value starts with "k8s:enc:" ("azhzOmVu" is base64 of "k8s:en").
encrypted_keys() {
  etcdctl_in_pod get /registry/ --prefix -w json | jq -r '.kvs[]? | select(.value | startswith("azhzOmVu")) | .key | @base64d'
}

# The learner's EncryptionConfiguration as the apiserver reads it: through the
# running apiserver's own mounts if it runs with one, else from the node.
learner_config() {
  local pid path file
  pid=$(apiserver_pid)
  if [[ -n $pid ]]; then
    path=$(flag_value </proc/"$pid"/cmdline || true)
    if [[ -n $path && $path != "$decrypt_dir"/* && -r /proc/$pid/root$path ]]; then
      cat "/proc/$pid/root$path"
      return 0
    fi
  fi
  path=$(manifest_flag "$manifest")
  if [[ -n $path && -r $path ]]; then cat "$path"; return 0; fi
  file=$(grep -rlsF EncryptionConfiguration /etc/kubernetes --exclude-dir=manifests --exclude-dir="${decrypt_dir##*/}" | head -n1 || true)
  [[ -n $file ]] && cat "$file"
}

# The same config with identity FIRST: reads everything (encrypted with the
# learner's keys, or plaintext) and writes plaintext.
identity_first() {
  awk '
    /^[[:space:]]*-[[:space:]]*identity:[[:space:]]*\{\}[[:space:]]*$/ { next }
    pending && /^[[:space:]]*-[[:space:]]/ { match($0, /^[[:space:]]*/); printf "%s- identity: {}\n", substr($0, 1, RLENGTH); pending = 0 }
    { print }
    /^[[:space:]]*providers:[[:space:]]*$/ { pending = 1 }
  '
}

# The kubeadm manifest with one more flag, mount and hostPath volume (kubeadm's
# fixed layout makes these three insertions exact).
with_encryption() {
  local dir=$1 file=$2
  sed -e "s|^    - kube-apiserver\$|&\n    - $flag=$dir/$file|" \
    -e "s|^    volumeMounts:\$|&\n    - mountPath: $dir\n      name: hardening-lab-decrypt\n      readOnly: true|" \
    -e "s|^  volumes:\$|&\n  - hostPath:\n      path: $dir\n      type: Directory\n    name: hardening-lab-decrypt|"
}

# Replaces the manifest atomically; never leave a second file in the manifests
# directory (the kubelet would run it as another static pod).
put_manifest() {
  cp "$1" "$state/manifest.new"
  mv -f "$state/manifest.new" "$manifest"
}

# --- turn encryption off without losing data ---------------------------------
if [[ ! -f $orig ]]; then
  if grep -q -- "$flag" "$manifest"; then
    log "the apiserver manifest has $flag but there is no pristine copy at $orig; use Reset lab to restore it" >&2
    exit 1
  fi
  mkdir -p "$state"
  cp -p "$manifest" "$orig"
fi
orig_flag=$(manifest_flag "$orig")

# A command substitution, so that an etcd failure stops the cleanup (set -e)
# instead of looking like "nothing encrypted".
enc=()
keys=$(encrypted_keys)
[[ -z $keys ]] || mapfile -t enc <<<"$keys"
if ((${#enc[@]} > 0)); then
  log "${#enc[@]} values in etcd are encrypted; decrypting them before encryption is turned off"
  mkdir -p "$decrypt_dir"
  chmod 700 "$decrypt_dir"
  learner_config | identity_first >"$decrypt_dir/config.yaml"
  chmod 600 "$decrypt_dir/config.yaml"
  if ! grep -q EncryptionConfiguration "$decrypt_dir/config.yaml"; then
    log "cannot find the EncryptionConfiguration that encrypted them; use Reset lab" >&2
    exit 1
  fi
  with_encryption "$decrypt_dir" config.yaml <"$orig" >"$state/manifest.decrypt"
  put_manifest "$state/manifest.decrypt"
  wait_apiserver "$decrypt_dir/config.yaml"
  # Rewrite every resource type that has encrypted values (normally: secrets).
  for resource in $(printf '%s\n' "${enc[@]}" | cut -d/ -f3 | sort -u); do
    log "rewriting $resource in plaintext"
    kubectl get "$resource" -A -o json | kubectl replace -f - >/dev/null
  done
  left=$(encrypted_keys)
  if [[ -n $left ]]; then
    log "still encrypted after the rewrite: $(head -n5 <<<"$left" | paste -sd' ')" >&2
    exit 1
  fi
fi

if ! cmp -s "$orig" "$manifest"; then
  log "restoring the original kube-apiserver manifest"
  put_manifest "$orig"
fi
wait_apiserver "$orig_flag"
rm -rf "$decrypt_dir" "$state/manifest.decrypt"

kubectl delete secret lab-secret -n default --ignore-not-found --wait

# The learner's config files (wherever under /etc/kubernetes), so that the
# "write the config" step starts from nothing again.
while read -r file; do
  [[ -n $file && $file != "$orig_flag" ]] || continue
  log "removing $file"
  rm -f "$file"
  [[ $(dirname "$file") == /etc/kubernetes ]] || rmdir "$(dirname "$file")" 2>/dev/null || true
done < <(grep -rlsF EncryptionConfiguration /etc/kubernetes --exclude-dir=manifests || true)
