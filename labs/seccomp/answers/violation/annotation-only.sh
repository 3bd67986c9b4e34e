# The removed annotation: ignored, the container runs unconfined.
kubectl -n seccomp delete pod violation-pod --ignore-not-found --wait=true
kubectl apply -f - <<'YAML'
apiVersion: v1
kind: Pod
metadata:
  name: violation-pod
  namespace: seccomp
  annotations:
    seccomp.security.alpha.kubernetes.io/pod: localhost/profiles/violation.json
spec:
  terminationGracePeriodSeconds: 1
  containers:
    - name: app
      image: busybox:1.36
      imagePullPolicy: IfNotPresent
      command: ["sleep", "86400"]
YAML
kubectl -n seccomp wait --for=condition=Ready pod/violation-pod --timeout=120s
