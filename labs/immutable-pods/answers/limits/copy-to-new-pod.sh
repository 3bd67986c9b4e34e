# kubectl debug --copy-to: a new pod with a debug container beside a fresh nginx,
# instead of an ephemeral container in the running pod whose bash the probe removed.
# A fresh pod from step 2: ephemeral containers can never be removed, so a
# clean start is a new pod (and no copy left over from another answer).
# --grace-period=1: a debug container's sleep ignores SIGTERM when it is PID 1.
kubectl -n immutable-pods delete pod immutable immutable-debug --ignore-not-found --wait=true --grace-period=1
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
kubectl -n immutable-pods debug immutable --copy-to=immutable-debug --share-processes --image=busybox:1.36 --image-pull-policy=IfNotPresent -c debugger -- sleep 3600
kubectl -n immutable-pods wait --for=condition=Ready pod/immutable-debug --timeout=120s
