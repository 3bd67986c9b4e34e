# Right, written differently: rm itself as the probe command (no shell), which also
# removes /bin/sh and /bin/dash.
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
          command: ["/bin/rm", "-f", "/bin/bash", "/bin/touch", "/bin/sh", "/bin/dash"]
        initialDelaySeconds: 1
        periodSeconds: 2

YAML
kubectl -n immutable-pods wait --for=condition=Ready pod/immutable --timeout=120s
