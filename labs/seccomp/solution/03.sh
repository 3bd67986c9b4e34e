#!/usr/bin/env bash
# The profile denies every syscall, so the container can never start: wait
# until the kubelet has tried (and failed) at least once instead of for Ready.
kubectl create namespace seccomp --dry-run=client -o yaml | kubectl apply -f -
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
      localhostProfile: profiles/violation.json
  containers:
    - name: app
      image: busybox:1.36
      imagePullPolicy: IfNotPresent
      command: ["sleep", "86400"]
YAML
for _ in $(seq 60); do
  reason=$(kubectl -n seccomp get pod violation-pod -o jsonpath='{.status.containerStatuses[0].state.waiting.reason}{.status.containerStatuses[0].lastState.terminated.reason}')
  case "$reason" in *Error*|*BackOff*) break ;; esac
  sleep 2
done
kubectl -n seccomp get pod violation-pod
