# The startup probe runs once the container has started and removes bash and
# touch from its writable layer. "-c" is one argv item; "-f" keeps rm quiet
# if the files are already gone.
# A pod's spec cannot be changed in place: start from no pod (also makes a re-run safe).
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
          command: ["sh", "-c", "rm -f /bin/bash /bin/touch"]
        initialDelaySeconds: 1
        periodSeconds: 2
YAML
kubectl -n immutable-pods wait --for=condition=Ready pod/immutable --timeout=120s

# The proof: both programs are gone.
kubectl -n immutable-pods exec immutable -- bash -c true || echo "bash is gone"
kubectl -n immutable-pods exec immutable -- touch /tmp/x || echo "touch is gone"
