# Falco from the lab's own manifests (the nodes have no helm): namespace,
# falco.yaml ConfigMap (modern_ebpf, json_output), privileged DaemonSet with tty.
kubectl apply -f "$HL_LAB_FILES/manifests/install/"
kubectl -n falco rollout status daemonset/falco --timeout=240s
# Ready means the webserver answers; the probe line proves the driver.
for _ in $(seq 1 30); do
  if kubectl -n falco logs -l app.kubernetes.io/name=falco -c falco --tail=-1 | grep -q "modern BPF probe"; then break; fi
  sleep 2
done
kubectl -n falco logs -l app.kubernetes.io/name=falco -c falco --tail=-1 | grep -E "modern BPF|schema validation" || true
