# A read-only root for nginx, with the two directories it must write to on
# emptyDir volumes.
# A pod's spec cannot be changed in place: start from no pod (also makes a re-run safe).
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
        - name: cache
          mountPath: /var/cache/nginx
        - name: run
          mountPath: /var/run
  volumes:
    - name: cache
      emptyDir: {}
    - name: run
      emptyDir: {}
YAML
kubectl -n immutable-pods wait --for=condition=Ready pod/ro-nginx --timeout=120s

# The proof: the first write fails, the second works.
kubectl -n immutable-pods exec ro-nginx -- touch /hacked || true
kubectl -n immutable-pods exec ro-nginx -- touch /var/cache/nginx/ok
