# RuntimeDefault instead of the file profile: a filter, but not the audit profile.
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
      type: RuntimeDefault
  containers:
    - name: app
      image: busybox:1.36
      imagePullPolicy: IfNotPresent
      command: ["sh", "-c", "while true; do sleep 10; mkdir /tmp/audit-me; rmdir /tmp/audit-me; done"]
YAML
kubectl -n seccomp wait --for=condition=Ready pod/audit-pod --timeout=120s
