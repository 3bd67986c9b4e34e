# Falco from the lab's own manifests (the nodes have no helm): namespace,
# falco.yaml ConfigMap (modern_ebpf, json_output), privileged DaemonSet with tty.
existed=no
if kubectl -n falco get daemonset falco > /dev/null 2>&1; then existed=yes; fi
kubectl apply -f "$HL_LAB_FILES/manifests/install/"
# falco.yaml is mounted through subPath, which a running pod never sees
# change: when Falco was already there, restart it to run this config.
if [ "$existed" = yes ]; then kubectl -n falco rollout restart daemonset/falco; fi
kubectl -n falco rollout status daemonset/falco --timeout=240s
# Ready means the webserver answers; the probe line proves the driver.
for _ in $(seq 1 30); do
  if kubectl -n falco logs -l app.kubernetes.io/name=falco -c falco --tail=-1 | grep -q "modern BPF probe"; then break; fi
  sleep 2
done
kubectl -n falco logs -l app.kubernetes.io/name=falco -c falco --tail=-1 | grep -E "modern BPF|schema validation" || true
