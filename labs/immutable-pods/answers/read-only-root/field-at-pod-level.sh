# readOnlyRootFilesystem in the pod-level securityContext, which has no such
# field: with --validate=false the API server drops it, the root stays writable.
kubectl -n immutable-pods delete pod ro-nginx --ignore-not-found --wait=true
kubectl apply --validate=false -f - <<'YAML'
apiVersion: v1
kind: Pod
metadata:
  name: ro-nginx
  namespace: immutable-pods
spec:
  securityContext:
    readOnlyRootFilesystem: true
  containers:
    - name: nginx
      image: nginx:1.27
      imagePullPolicy: IfNotPresent
      volumeMounts:
        - { name: cache, mountPath: /var/cache/nginx }
        - { name: run, mountPath: /var/run }
  volumes:
    - { name: cache, emptyDir: {} }
    - { name: run, emptyDir: {} }
YAML
kubectl -n immutable-pods wait --for=condition=Ready pod/ro-nginx --timeout=120s
