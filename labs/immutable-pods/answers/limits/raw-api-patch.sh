# Right, written differently: no kubectl debug, the ephemeralcontainers
# subresource patched directly (what kubectl debug does), with the nginx image
# (which has sh too), on top of the pod as it is.
kubectl -n immutable-pods patch pod immutable --subresource=ephemeralcontainers --type=strategic -p '
{"spec": {"ephemeralContainers": [{
  "name": "raw-debug", "image": "nginx:1.27", "imagePullPolicy": "IfNotPresent",
  "command": ["sleep", "3600"], "targetContainerName": "nginx"}]}}'
for _ in $(seq 60); do
  s=$(kubectl -n immutable-pods get pod immutable -o jsonpath='{.status.ephemeralContainerStatuses[?(@.name=="raw-debug")].state.running}')
  [ -n "$s" ] && break
  sleep 1
done
