# The profile file's path as localhostProfile: the kernel knows the profile by
# the name on its profile line, so containerd finds no such profile and
# refuses the container.
kubectl -n apparmor-lab delete pod hello-apparmor --ignore-not-found --wait=true --grace-period=1
kubectl apply -f - <<'YAML'
apiVersion: v1
kind: Pod
metadata:
  name: hello-apparmor
  namespace: apparmor-lab
spec:
  containers:
    - name: hello
      image: busybox:1.36
      imagePullPolicy: IfNotPresent
      command: ['sh', '-c', "echo 'Hello AppArmor!' && sleep 1h"]
      securityContext:
        appArmorProfile:
          type: Localhost
          localhostProfile: /etc/apparmor.d/k8s-apparmor-example-deny-write
YAML
# Wait until the runtime (or, on a host without AppArmor, the kubelet) refused it.
for _ in $(seq 60); do
  reason=$(kubectl -n apparmor-lab get pod hello-apparmor -o jsonpath='{.status.containerStatuses[0].state.waiting.reason}{.status.phase}')
  case "$reason" in *CreateContainerError*|*Failed*) break ;; esac
  sleep 2
done
