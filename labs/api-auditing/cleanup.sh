# Put back the original apiserver manifest, wait until the apiserver runs
# without audit flags, then remove the policy, the logs and the namespace.
# Encryption at rest (the strace-on-etcd lab's) is left on if etcd holds
# encrypted values. Idempotent: on an untouched cluster every step is a no-op.
manifest=/etc/kubernetes/manifests/kube-apiserver.yaml
pristine=/var/lib/hardening-lab/api-auditing/kube-apiserver.yaml
enc_flag=--encryption-provider-config
# Where the EncryptionConfiguration is, if the manifest points at one now
# (Reset may already have put back a copy without it).
enc_file=$(sed -n "s/^ *- $enc_flag=//p" "$manifest" 2>/dev/null | tail -n 1 || true)

# Paths the learner chose (container paths; with the usual mounts they are the node paths too).
policy_path=$(sed -n 's/^ *- --audit-policy-file=//p' "$manifest" 2>/dev/null | tail -n 1 || true)
log_path=$(sed -n 's/^ *- --audit-log-path=//p' "$manifest" 2>/dev/null | tail -n 1 || true)

# A policy saved into the manifests directory is read by kubelet as a pod: remove it.
for f in /etc/kubernetes/manifests/*; do
  if [ -f "$f" ] && [ "$f" != "$manifest" ] && grep -qE '^kind:[[:space:]]*Policy' "$f"; then rm -f "$f"; fi
done
# The scratch copy solution/02.sh edits (outside the manifests directory).
rm -f /etc/kubernetes/kube-apiserver.yaml.edit

if [ ! -f "$manifest" ] || grep -q -- '--audit-' "$manifest"; then
  if [ -f "$pristine" ]; then
    cp "$pristine" /etc/kubernetes/kube-apiserver.yaml.restore
    mv /etc/kubernetes/kube-apiserver.yaml.restore "$manifest"
    echo "restored $manifest from $pristine"
  else
    # No copy (setup never ran on this node): kubeadm regenerates the manifest from kind's config.
    kubeadm init phase control-plane apiserver --config /kind/kubeadm.conf
    echo "regenerated $manifest with kubeadm"
  fi
fi

# The copy put back may predate encryption at rest, which belongs to the
# strace-on-etcd lab. An apiserver without its EncryptionConfiguration never
# becomes ready once etcd holds encrypted values (seen on kind 1.34), so put
# the flag back, with a mount of its directory (kubeadm's fixed layout makes
# the three insertions exact); that lab's Reset turns it off without losing
# secrets. etcd is asked directly: the apiserver may be down at this point.
etcd_encrypted_values() { # prints how many values in etcd are encrypted
  ctr=$(crictl ps -q --name '^etcd$' --state running | head -n 1)
  if [ -z "$ctr" ]; then
    echo "etcd is not running on this node: crictl ps -a --name etcd" >&2
    return 1
  fi
  crictl exec "$ctr" etcdctl --endpoints=https://127.0.0.1:2379 --cacert=/etc/kubernetes/pki/etcd/ca.crt \
    --cert=/etc/kubernetes/pki/etcd/server.crt --key=/etc/kubernetes/pki/etcd/server.key \
    get /registry/ --prefix --print-value-only >/tmp/hl-etcd-values
  grep -acF 'k8s:enc:' /tmp/hl-etcd-values || true
  rm -f /tmp/hl-etcd-values
}
keep_encryption=no
encrypted=0
if ! grep -q -- "$enc_flag" "$manifest"; then
  encrypted=$(etcd_encrypted_values) # set -e: an unreadable etcd stops the cleanup here
fi
if [ "$encrypted" -gt 0 ]; then
  if [ -z "$enc_file" ] || [ ! -f "$enc_file" ]; then
    enc_file=$(grep -rlsF EncryptionConfiguration /etc/kubernetes --exclude-dir=manifests --exclude-dir=hardening-lab-decrypt | head -n 1 || true)
  fi
  if [ -z "$enc_file" ]; then
    echo "etcd holds encrypted values but no EncryptionConfiguration is left under /etc/kubernetes." >&2
    echo "Fix: reset the strace-on-etcd lab, which decrypts them before turning encryption off." >&2
    exit 1
  fi
  enc_dir=$(dirname "$enc_file")
  echo "encryption at rest was on: keeping it ($enc_file) so the apiserver can read what etcd holds"
  sed -e "s|^    - kube-apiserver\$|&\n    - $enc_flag=$enc_file|" \
    -e "s|^    volumeMounts:\$|&\n    - mountPath: $enc_dir\n      name: hardening-lab-encryption\n      readOnly: true|" \
    -e "s|^  volumes:\$|&\n  - hostPath:\n      path: $enc_dir\n      type: Directory\n    name: hardening-lab-encryption|" \
    "$manifest" >/etc/kubernetes/kube-apiserver.yaml.restore
  mv /etc/kubernetes/kube-apiserver.yaml.restore "$manifest"
  keep_encryption=yes
fi

echo "waiting for kube-apiserver without audit flags..."
for i in $(seq 1 80); do
  running=$(pgrep -a -x kube-apiserver || true)
  if ! printf '%s' "$running" | grep -q -- '--audit-' &&
    { [ "$keep_encryption" = no ] || printf '%s' "$running" | grep -q -- "$enc_flag"; } &&
    [ "$(curl -sk --max-time 2 https://127.0.0.1:6443/readyz)" = ok ]; then
    break
  fi
  if [ "$i" = 80 ]; then
    echo "kube-apiserver is not healthy after 160 s: crictl ps -a --name kube-apiserver" >&2
    exit 1
  fi
  sleep 2
done

rm -rf /etc/kubernetes/audit /var/log/kubernetes/audit
if [ -n "$policy_path" ]; then rm -f "$policy_path"; fi
if [ -n "$log_path" ] && [ "$log_path" != "-" ]; then
  rm -f "$log_path" "${log_path%.log}"-*.log
fi
kubectl delete namespace audit-lab --ignore-not-found --wait --timeout=120s
