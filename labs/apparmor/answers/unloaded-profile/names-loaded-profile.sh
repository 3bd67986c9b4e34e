# The pod names the deny-write profile of step 1, which is loaded: the
# container runs, so nothing about a missing profile is shown.
kubectl -n apparmor-lab delete pod hello-apparmor-2 --ignore-not-found --wait=true --grace-period=1
kubectl apply -f - <<'YAML'
apiVersion: v1
kind: Pod
metadata:
  name: hello-apparmor-2
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
          localhostProfile: k8s-apparmor-example-deny-write
YAML
kubectl -n apparmor-lab wait --for=condition=Ready pod/hello-apparmor-2 --timeout=120s
