# An ephemeral container brings its own image (and shell) into the pod, and
# --target=nginx shares nginx's process namespace: the startup-probe trick
# does not stop it.
kubectl -n immutable-pods debug immutable --image=busybox:1.36 --image-pull-policy=IfNotPresent \
  --target=nginx -c debugger -- sleep 3600
# Wait until it runs (ephemeral containers have no Ready condition).
for _ in $(seq 1 60); do
  state=$(kubectl -n immutable-pods get pod immutable \
    -o jsonpath='{.status.ephemeralContainerStatuses[?(@.name=="debugger")].state.running.startedAt}')
  [ -n "$state" ] && break
  sleep 2
done
kubectl -n immutable-pods exec immutable -c debugger -- sh -c 'echo shell works; ls /proc/1/root/etc/nginx/'
