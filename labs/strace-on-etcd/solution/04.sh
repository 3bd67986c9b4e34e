MANIFEST=/etc/kubernetes/manifests/kube-apiserver.yaml
# A personal copy OUTSIDE the manifests directory: the kubelet runs every file
# in that directory as a static pod.
cp "$MANIFEST" /root/kube-apiserver.yaml.bak

# The flag, a read-only mount of the directory, and the hostPath behind it.
# kubeadm writes the manifest in a fixed layout, so three insertions do it.
if ! grep -q -- --encryption-provider-config "$MANIFEST"; then
  sed -i \
    -e 's|^    - kube-apiserver$|&\n    - --encryption-provider-config=/etc/kubernetes/enc/enc.yaml|' \
    -e 's|^    volumeMounts:$|&\n    - mountPath: /etc/kubernetes/enc\n      name: enc\n      readOnly: true|' \
    -e 's|^  volumes:$|&\n  - hostPath:\n      path: /etc/kubernetes/enc\n      type: Directory\n    name: enc|' \
    "$MANIFEST"
fi
diff /root/kube-apiserver.yaml.bak "$MANIFEST" || true

# The kubelet restarts the apiserver; wait until the NEW one (with the flag) answers.
for _ in $(seq 90); do
  if pgrep -a -x kube-apiserver | grep -q -- --encryption-provider-config && kubectl get --raw=/readyz >/dev/null 2>&1; then
    break
  fi
  sleep 2
done
pgrep -a -x kube-apiserver | grep -o -- '--encryption-provider-config=[^ ]*'
kubectl get --raw=/readyz
