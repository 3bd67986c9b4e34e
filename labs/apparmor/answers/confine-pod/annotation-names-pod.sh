# The blog's annotation with the pod's name after the slash instead of the
# container's: the API server refuses the whole pod ("container not found").
kubectl -n apparmor-lab delete pod hello-apparmor --ignore-not-found --wait=true --grace-period=1
kubectl apply -f - <<'YAML' || true
apiVersion: v1
kind: Pod
metadata:
  name: hello-apparmor
  namespace: apparmor-lab
  annotations:
    container.apparmor.security.beta.kubernetes.io/hello-apparmor: localhost/k8s-apparmor-example-deny-write
spec:
  containers:
    - name: hello
      image: busybox:1.36
      imagePullPolicy: IfNotPresent
      command: ['sh', '-c', "echo 'Hello AppArmor!' && sleep 1h"]
YAML
