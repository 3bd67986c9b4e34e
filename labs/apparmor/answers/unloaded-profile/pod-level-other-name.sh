# Right, written differently: another name no node has loaded, in the pod's
# securityContext. The runtime refuses it the same way.
kubectl -n apparmor-lab delete pod hello-apparmor-2 --ignore-not-found --wait=true --grace-period=1
kubectl apply -f - <<'YAML'
apiVersion: v1
kind: Pod
metadata:
  name: hello-apparmor-2
  namespace: apparmor-lab
spec:
  securityContext:
    appArmorProfile:
      type: Localhost
      localhostProfile: my-missing-profile
  containers:
    - name: hello
      image: busybox:1.36
      imagePullPolicy: IfNotPresent
      command: ['sh', '-c', "echo 'Hello AppArmor!' && sleep 1h"]
YAML
# Wait until the runtime (or, on a host without AppArmor, the kubelet) refused it.
for _ in $(seq 60); do
  reason=$(kubectl -n apparmor-lab get pod hello-apparmor-2 -o jsonpath='{.status.containerStatuses[0].state.waiting.reason}{.status.phase}')
  case "$reason" in *CreateContainerError*|*Failed*) break ;; esac
  sleep 2
done
