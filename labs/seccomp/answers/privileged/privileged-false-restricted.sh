# Right, written differently: privileged: false spelt out, RuntimeDefault on the
# container, every capability dropped (what Pod Security 'restricted' asks for).
kubectl -n seccomp delete pod legacy-pod --ignore-not-found --wait=true
kubectl apply -f - <<'YAML'
apiVersion: v1
kind: Pod
metadata:
  name: legacy-pod
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
        privileged: false
        allowPrivilegeEscalation: false
        capabilities:
          drop: [ALL]
YAML
kubectl -n seccomp wait --for=condition=Ready pod/legacy-pod --timeout=120s
