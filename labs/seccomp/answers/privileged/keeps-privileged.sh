# The legacy pod as given: RuntimeDefault in the YAML, privileged, no filter.
kubectl -n seccomp delete pod legacy-pod --ignore-not-found --wait=true
kubectl apply -f - <<'YAML'
apiVersion: v1
kind: Pod
metadata:
  name: legacy-pod
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
      command: ["sleep", "86400"]
      securityContext:
        privileged: true
YAML
kubectl -n seccomp wait --for=condition=Ready pod/legacy-pod --timeout=120s
