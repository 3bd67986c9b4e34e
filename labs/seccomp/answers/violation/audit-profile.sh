# The audit profile instead: everything allowed, the container runs.
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
      localhostProfile: profiles/audit.json
  containers:
    - name: app
      image: busybox:1.36
      imagePullPolicy: IfNotPresent
      command: ["sleep", "86400"]
YAML
kubectl -n seccomp wait --for=condition=Ready pod/violation-pod --timeout=120s
