# A pristine copy of the apiserver manifest on the node itself: cleanup
# restores it from here (the lab engine keeps its own copy for "Reset lab").
# Only an unedited manifest is worth keeping.
backup_dir=/var/lib/hardening-lab/api-auditing
mkdir -p "$backup_dir"
manifest=/etc/kubernetes/manifests/kube-apiserver.yaml
if [ ! -f "$backup_dir/kube-apiserver.yaml" ]; then
  if grep -q -- '--audit-' "$manifest"; then
    echo "note: $manifest already has --audit flags; not keeping it as the pristine copy"
  else
    cp -p "$manifest" "$backup_dir/kube-apiserver.yaml"
  fi
fi
kubectl create namespace audit-lab --dry-run=client -o yaml | kubectl apply -f -
