# localhostProfile audit.json: the kubelet opens /var/lib/kubelet/seccomp/audit.json,
# where the nodes have no file; the container is never created.
kubectl -n seccomp delete pod audit-pod --ignore-not-found --wait=true
kubectl apply -f - <<'YAML'
apiVersion: v1
kind: Pod
metadata:
  name: audit-pod
  namespace: seccomp
spec:
  terminationGracePeriodSeconds: 1
  securityContext:
    seccompProfile:
      type: Localhost
      localhostProfile: audit.json
  containers:
    - name: app
      image: busybox:1.36
      imagePullPolicy: IfNotPresent
      command: ["sh", "-c", "while true; do sleep 10; mkdir /tmp/audit-me; rmdir /tmp/audit-me; done"]
YAML
# Wait until the kubelet has tried to create or start the container and failed.
for _ in $(seq 60); do
  reason=$(kubectl -n seccomp get pod audit-pod -o jsonpath='{.status.containerStatuses[0].state.waiting.reason}{.status.containerStatuses[0].lastState.terminated.reason}')
  case "$reason" in *Error*|*BackOff*) break ;; esac
  sleep 1
done
