# privileged removed, and the seccompProfile with it: Unconfined on this kubelet.
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
YAML
kubectl -n seccomp wait --for=condition=Ready pod/legacy-pod --timeout=120s
