# Right, written differently: other volume names, tmpfs-backed emptyDirs,
# /run instead of /var/run (a link to /run in the image), and more hardening.
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
        allowPrivilegeEscalation: false
        readOnlyRootFilesystem: true
      volumeMounts:
        - { name: nginx-tmp, mountPath: /var/cache/nginx }
        - { name: pid, mountPath: /run }
  volumes:
    - name: nginx-tmp
      emptyDir: { medium: Memory, sizeLimit: 16Mi }
    - name: pid
      emptyDir: { medium: Memory }
YAML
kubectl -n immutable-pods wait --for=condition=Ready pod/ro-nginx --timeout=120s
