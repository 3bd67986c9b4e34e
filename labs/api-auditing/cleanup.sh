# Put back the original apiserver manifest, wait until the apiserver runs
# without audit flags, then remove the policy, the logs and the namespace.
# Idempotent: on an untouched cluster every step is a no-op.
manifest=/etc/kubernetes/manifests/kube-apiserver.yaml
pristine=/var/lib/hardening-lab/api-auditing/kube-apiserver.yaml

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

echo "waiting for kube-apiserver without audit flags..."
for i in $(seq 1 80); do
  if ! pgrep -a -x kube-apiserver | grep -q -- '--audit-' &&
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
