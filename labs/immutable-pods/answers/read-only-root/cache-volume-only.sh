# An emptyDir for /var/cache/nginx but none for /var/run: nginx cannot write
# its PID file and exits.
kubectl -n immutable-pods delete pod ro-nginx --ignore-not-found --wait=true
kubectl apply -f - <<'YAML'
apiVersion: v1
kind: Pod
metadata:
  name: ro-nginx
  namespace: immutable-pods
spec:
  containers:
    - name: nginx
      image: nginx:1.27
      imagePullPolicy: IfNotPresent
      securityContext:
        readOnlyRootFilesystem: true
      volumeMounts:
        - { name: cache, mountPath: /var/cache/nginx }
  volumes:
    - { name: cache, emptyDir: {} }
YAML
for _ in $(seq 60); do
  restarts=$(kubectl -n immutable-pods get pod ro-nginx -o jsonpath='{.status.containerStatuses[0].restartCount}')
  [ "${restarts:-0}" -ge 1 ] && break
  sleep 1
done
