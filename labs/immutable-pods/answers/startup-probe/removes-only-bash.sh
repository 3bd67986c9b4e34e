# Only bash is removed: touch still works, so an attacker can still create files.
kubectl -n immutable-pods delete pod immutable --ignore-not-found --wait=true
kubectl apply -f - <<'YAML'
apiVersion: v1
kind: Pod
metadata:
  name: immutable
  namespace: immutable-pods
spec:
  containers:
    - name: nginx
      image: nginx:1.27
      imagePullPolicy: IfNotPresent

      startupProbe:
        exec:
          command: ["sh", "-c", "rm -f /bin/bash"]
        initialDelaySeconds: 1
        periodSeconds: 2

YAML
kubectl -n immutable-pods wait --for=condition=Ready pod/immutable --timeout=120s
