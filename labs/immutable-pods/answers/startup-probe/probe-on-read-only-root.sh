# Steps 1 and 2 combined: on a read-only root rm cannot delete anything, the
# probe fails with "Read-only file system" and the container is restarted forever.
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
      securityContext:
        readOnlyRootFilesystem: true
      volumeMounts:
        - { name: cache, mountPath: /var/cache/nginx }
        - { name: run, mountPath: /var/run }
      startupProbe:
        exec:
          command: ["sh", "-c", "rm -f /bin/bash /bin/touch"]
        initialDelaySeconds: 1
        periodSeconds: 2
  volumes:
    - { name: cache, emptyDir: {} }
    - { name: run, emptyDir: {} }
YAML
# Wait until the kubelet has reported the failing probe of THIS pod (the check
# reads that event; events of an earlier pod with the same name are still listed).
uid=$(kubectl -n immutable-pods get pod immutable -o jsonpath='{.metadata.uid}')
for _ in $(seq 60); do
  kubectl -n immutable-pods get events --field-selector "involvedObject.uid=$uid,reason=Unhealthy" -o name | grep -q . && break
  sleep 1
done
