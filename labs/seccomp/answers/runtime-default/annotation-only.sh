# The annotation of older tutorials: accepted with a warning, ignored since 1.27.
kubectl -n seccomp delete pod default-pod --ignore-not-found --wait=true
kubectl apply -f - <<'YAML'
apiVersion: v1
kind: Pod
metadata:
  name: default-pod
  namespace: seccomp
  annotations:
    seccomp.security.alpha.kubernetes.io/pod: runtime/default
spec:
  terminationGracePeriodSeconds: 1
  containers:
    - name: app
      image: busybox:1.36
      imagePullPolicy: IfNotPresent
      command: ["sleep", "86400"]
YAML
kubectl -n seccomp wait --for=condition=Ready pod/default-pod --timeout=120s
