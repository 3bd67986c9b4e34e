# Right, written differently: the profile on the container instead of the pod.
kubectl -n seccomp delete pod audit-pod --ignore-not-found --wait=true
kubectl apply -f - <<'YAML'
apiVersion: v1
kind: Pod
metadata:
  name: audit-pod
  namespace: seccomp
spec:
  terminationGracePeriodSeconds: 1
  containers:
    - name: app
      image: busybox:1.36
      imagePullPolicy: IfNotPresent
      command: ["sh", "-c", "while true; do sleep 10; mkdir /tmp/audit-me; rmdir /tmp/audit-me; done"]
      securityContext:
        seccompProfile:
          type: Localhost
          localhostProfile: profiles/audit.json
YAML
kubectl -n seccomp wait --for=condition=Ready pod/audit-pod --timeout=120s
