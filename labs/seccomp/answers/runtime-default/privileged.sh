# RuntimeDefault with privileged: true: the runtime applies no seccomp to a privileged container.
kubectl -n seccomp delete pod default-pod --ignore-not-found --wait=true
kubectl apply -f - <<'YAML'
apiVersion: v1
kind: Pod
metadata:
  name: default-pod
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
kubectl -n seccomp wait --for=condition=Ready pod/default-pod --timeout=120s
