# The blog's spelling, readonlyRootFilesystem, sent with --validate=false (as a
# tool that skips validation would): the API server drops the unknown field
# and nginx runs with a writable root.
kubectl -n immutable-pods delete pod ro-nginx --ignore-not-found --wait=true
kubectl apply --validate=false -f - <<'YAML'
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
        readonlyRootFilesystem: true
      volumeMounts:
        - { name: cache, mountPath: /var/cache/nginx }
        - { name: run, mountPath: /var/run }
  volumes:
    - { name: cache, emptyDir: {} }
    - { name: run, emptyDir: {} }
YAML
kubectl -n immutable-pods wait --for=condition=Ready pod/ro-nginx --timeout=120s
