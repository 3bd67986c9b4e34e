# kubectl debug without --target: the debug container has its own process
# namespace and sees neither nginx's processes nor, through /proc/1/root, its files.
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
kubectl -n immutable-pods debug immutable --image=busybox:1.36 --image-pull-policy=IfNotPresent -c debugger -- sleep 3600
for _ in $(seq 60); do
  s=$(kubectl -n immutable-pods get pod immutable -o jsonpath='{.status.ephemeralContainerStatuses[?(@.name=="debugger")].state.running}')
  [ -n "$s" ] && break
  sleep 1
done
