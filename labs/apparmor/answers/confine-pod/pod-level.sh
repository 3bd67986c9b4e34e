# Right, written differently: the field in the pod's securityContext, where
# it applies to every container.
kubectl -n apparmor-lab delete pod hello-apparmor --ignore-not-found --wait=true --grace-period=1
kubectl apply -f - <<'YAML'
apiVersion: v1
kind: Pod
metadata:
  name: hello-apparmor
  namespace: apparmor-lab
spec:
  securityContext:
    appArmorProfile:
      type: Localhost
      localhostProfile: k8s-apparmor-example-deny-write
  containers:
    - name: hello
      image: busybox:1.36
      imagePullPolicy: IfNotPresent
      command: ['sh', '-c', "echo 'Hello AppArmor!' && sleep 1h"]
YAML
kubectl -n apparmor-lab wait --for=condition=Ready pod/hello-apparmor --timeout=120s
