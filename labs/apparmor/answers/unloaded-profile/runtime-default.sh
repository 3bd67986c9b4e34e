# RuntimeDefault "because the profile is missing": containerd's own profile
# always exists, so the pod runs and shows nothing about a missing profile.
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
          type: RuntimeDefault
YAML
kubectl -n apparmor-lab wait --for=condition=Ready pod/hello-apparmor-2 --timeout=120s
