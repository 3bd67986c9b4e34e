# The right profile with privileged: true: no seccomp at all, chmod allowed.
kubectl -n seccomp delete pod fine-grained-pod --ignore-not-found --wait=true
kubectl apply -f - <<'YAML'
apiVersion: v1
kind: Pod
metadata:
  name: fine-grained-pod
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
          type: Localhost
          localhostProfile: profiles/fine-grained.json
        privileged: true
YAML
kubectl -n seccomp wait --for=condition=Ready pod/fine-grained-pod --timeout=120s
