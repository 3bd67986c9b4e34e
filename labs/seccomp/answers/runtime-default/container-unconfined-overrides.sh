# RuntimeDefault on the pod, Unconfined on the container: the container's field wins.
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
        seccompProfile:
          type: Unconfined
YAML
kubectl -n seccomp wait --for=condition=Ready pod/default-pod --timeout=120s
