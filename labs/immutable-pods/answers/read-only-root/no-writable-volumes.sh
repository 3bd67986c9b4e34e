# The field alone, as in the step's first manifest: nginx cannot create its
# temp directories on the read-only root and exits; the kubelet restarts it.
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
YAML
# Wait for the first crash, so its log (the [emerg] line) is there to read.
for _ in $(seq 60); do
  restarts=$(kubectl -n immutable-pods get pod ro-nginx -o jsonpath='{.status.containerStatuses[0].restartCount}')
  [ "${restarts:-0}" -ge 1 ] && break
  sleep 1
done
