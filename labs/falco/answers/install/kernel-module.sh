# The blog's driver: the kernel module instead of the modern eBPF probe.
# Nothing here can build or load falco.ko, so Falco exits at start.
sed 's/kind: modern_ebpf/kind: kmod/' "$HL_LAB_FILES/manifests/install/10-falco-config.yaml" | kubectl apply -f -
kubectl -n falco delete pod -l app.kubernetes.io/name=falco --wait=true --timeout=120s
# Wait until the new pods exist; they crash, so never Ready.
for _ in $(seq 1 30); do
  [ "$(kubectl -n falco get pods -l app.kubernetes.io/name=falco -o name | wc -l)" -ge 1 ] && break
  sleep 2
done
