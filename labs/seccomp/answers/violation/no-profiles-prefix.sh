# localhostProfile violation.json: it fails, but because there is no file there,
# not because the profile denies everything.
kubectl -n seccomp delete pod violation-pod --ignore-not-found --wait=true
kubectl apply -f - <<'YAML'
apiVersion: v1
kind: Pod
metadata:
  name: violation-pod
  namespace: seccomp
spec:
  terminationGracePeriodSeconds: 1
  securityContext:
    seccompProfile:
      type: Localhost
      localhostProfile: violation.json
  containers:
    - name: app
      image: busybox:1.36
      imagePullPolicy: IfNotPresent
      command: ["sleep", "86400"]
YAML
# Wait until the kubelet has tried to create or start the container and failed.
for _ in $(seq 60); do
  reason=$(kubectl -n seccomp get pod violation-pod -o jsonpath='{.status.containerStatuses[0].state.waiting.reason}{.status.containerStatuses[0].lastState.terminated.reason}')
  case "$reason" in *Error*|*BackOff*) break ;; esac
  sleep 1
done
