# The annotation with the pod's name after the slash: the API server refuses
# the whole pod ("container not found"), so the runtime never sees it.
kubectl -n apparmor-lab delete pod hello-apparmor-2 --ignore-not-found --wait=true --grace-period=1
kubectl apply -f - <<'YAML' || true
apiVersion: v1
kind: Pod
metadata:
  name: hello-apparmor-2
  namespace: apparmor-lab
  annotations:
    container.apparmor.security.beta.kubernetes.io/hello-apparmor-2: localhost/k8s-apparmor-example-allow-write
spec:
  containers:
    - name: hello
      image: busybox:1.36
      imagePullPolicy: IfNotPresent
      command: ['sh', '-c', "echo 'Hello AppArmor!' && sleep 1h"]
YAML
