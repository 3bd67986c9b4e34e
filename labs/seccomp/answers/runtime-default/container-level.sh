# Right, written differently: RuntimeDefault on the container instead of the pod,
# with more hardening beside it.
kubectl -n seccomp delete pod default-pod --ignore-not-found --wait=true
kubectl apply -f - <<'YAML'
apiVersion: v1
kind: Pod
metadata:
  name: default-pod
  namespace: seccomp
spec:
  terminationGracePeriodSeconds: 1
  containers:
    - name: app
      image: busybox:1.36
      imagePullPolicy: IfNotPresent
      command: ["sleep", "86400"]
      securityContext:
        seccompProfile:
          type: RuntimeDefault
        allowPrivilegeEscalation: false
        capabilities:
          drop: [ALL]
YAML
kubectl -n seccomp wait --for=condition=Ready pod/default-pod --timeout=120s
