# Add the audit flags, volumes and mounts to the kube-apiserver static pod.
# The edit happens on a copy next to the manifests directory and is moved in
# at once: kubelet must never see a half-edited manifest.
manifest=/etc/kubernetes/manifests/kube-apiserver.yaml
work=/etc/kubernetes/kube-apiserver.yaml.edit
cp "$manifest" "$work"

cat > /tmp/audit-flags.yaml <<'SNIPPET'
    - --audit-policy-file=/etc/kubernetes/audit/policy.yaml
    - --audit-log-path=/var/log/kubernetes/audit/audit.log
    - --audit-log-maxage=7
    - --audit-log-maxbackup=2
    - --audit-log-maxsize=50
SNIPPET
cat > /tmp/audit-mounts.yaml <<'SNIPPET'
    - mountPath: /etc/kubernetes/audit/policy.yaml
      name: audit-policy
      readOnly: true
    - mountPath: /var/log/kubernetes/audit
      name: audit-log
SNIPPET
cat > /tmp/audit-volumes.yaml <<'SNIPPET'
  - hostPath:
      path: /etc/kubernetes/audit/policy.yaml
      type: File
    name: audit-policy
  - hostPath:
      path: /var/log/kubernetes/audit
      type: DirectoryOrCreate
    name: audit-log
SNIPPET

if ! grep -q -- '--audit-policy-file=' "$work"; then
  # Flags right after "- kube-apiserver", mounts and volumes at the top of their lists.
  sed -i -e '/^    - kube-apiserver$/r /tmp/audit-flags.yaml' \
         -e '/^    volumeMounts:$/r /tmp/audit-mounts.yaml' \
         -e '/^  volumes:$/r /tmp/audit-volumes.yaml' "$work"
fi
mv "$work" "$manifest"
grep -n -A1 -e audit "$manifest"

echo "Waiting for kubelet to restart kube-apiserver with the audit flags (30-90 s)..."
for _ in $(seq 1 120); do
  if pgrep -a -x kube-apiserver | grep -q -- '--audit-policy-file=' &&
    [ "$(curl -sk --max-time 2 https://127.0.0.1:6443/readyz)" = ok ] &&
    [ -s /var/log/kubernetes/audit/audit.log ]; then
    echo "kube-apiserver is back, auditing to /var/log/kubernetes/audit/audit.log"
    tail -n 1 /var/log/kubernetes/audit/audit.log | jq -c '{level, verb, requestURI, user: .user.username}'
    exit 0
  fi
  sleep 2
done
echo "kube-apiserver did not come back; look at: crictl ps -a --name kube-apiserver" >&2
exit 1
