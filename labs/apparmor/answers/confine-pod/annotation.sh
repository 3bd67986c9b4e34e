# Right, written differently: the blog's deprecated annotation on the right
# container name. It still works (the API server copies it into the field);
# the check passes and says the annotation is deprecated.
kubectl -n apparmor-lab delete pod hello-apparmor --ignore-not-found --wait=true --grace-period=1
kubectl apply -f - <<'YAML'
apiVersion: v1
kind: Pod
metadata:
  name: hello-apparmor
  namespace: apparmor-lab
  annotations:
    container.apparmor.security.beta.kubernetes.io/hello: localhost/k8s-apparmor-example-deny-write
spec:
  containers:
    - name: hello
      image: busybox:1.36
      imagePullPolicy: IfNotPresent
      command: ['sh', '-c', "echo 'Hello AppArmor!' && sleep 1h"]
YAML
kubectl -n apparmor-lab wait --for=condition=Ready pod/hello-apparmor --timeout=120s
