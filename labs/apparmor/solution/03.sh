# A pod naming a profile nobody loaded: accepted by the API, refused by containerd.
# Security settings are fixed at creation: replace whatever pod is there
# (--grace-period=1: the pod's sh, PID 1, ignores SIGTERM; 30 s otherwise).
kubectl -n apparmor-lab delete pod hello-apparmor-2 --ignore-not-found --wait=true --grace-period=1
kubectl apply -f "$HL_LAB_FILES/manifests/hello-apparmor-2.yaml"
for _ in $(seq 1 60); do
  reason=$(kubectl -n apparmor-lab get pod hello-apparmor-2 -o jsonpath='{.status.containerStatuses[0].state.waiting.reason}' 2>/dev/null || true)
  phase=$(kubectl -n apparmor-lab get pod hello-apparmor-2 -o jsonpath='{.status.phase}' 2>/dev/null || true)
  # CreateContainerError is the lesson; Failed means the kubelet rejected it outright (no AppArmor).
  if [ "$reason" = "CreateContainerError" ] || [ "$phase" = "Failed" ]; then break; fi
  sleep 2
done
kubectl -n apparmor-lab get events --field-selector involvedObject.name=hello-apparmor-2 | grep -i apparmor || true
