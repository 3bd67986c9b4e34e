# An ephemeral container brings its own image (and shell) into the pod, and
# --target=nginx shares nginx's process namespace: the startup-probe trick
# does not stop it.
#
# Ephemeral containers can never be removed or restarted, and kubectl debug
# with a name that is already taken changes nothing and says nothing. So use
# "debugger" if it is free, else the next free "debugger-N" (this also makes
# the script safe to run twice).
names=" $(kubectl -n immutable-pods get pod immutable -o jsonpath='{.spec.ephemeralContainers[*].name}') "
name=debugger
n=2
while [[ "$names" == *" $name "* ]]; do
  name="debugger-$n"
  n=$((n + 1))
done
kubectl -n immutable-pods debug immutable --image=busybox:1.36 --image-pull-policy=IfNotPresent \
  --target=nginx -c "$name" -- sleep 3600
# Wait until it runs (ephemeral containers have no Ready condition).
for _ in $(seq 1 60); do
  state=$(kubectl -n immutable-pods get pod immutable \
    -o jsonpath="{.status.ephemeralContainerStatuses[?(@.name==\"$name\")].state.running.startedAt}")
  [ -n "$state" ] && break
  sleep 2
done
kubectl -n immutable-pods exec immutable -c "$name" -- sh -c 'echo shell works; ls /proc/1/root/etc/nginx/'
