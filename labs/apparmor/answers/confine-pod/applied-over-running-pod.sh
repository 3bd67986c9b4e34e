# The pod first created without the setting, then the right manifest applied
# over it: the API server refuses the change (a pod's spec is immutable but for
# a few fields), and the pod keeps running without a profile of the lab's.
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
YAML
kubectl -n apparmor-lab wait --for=condition=Ready pod/hello-apparmor --timeout=120s
kubectl apply -f "$HL_LAB_FILES/manifests/hello-apparmor.yaml" || true
