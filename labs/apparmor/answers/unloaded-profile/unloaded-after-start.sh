# The profile loaded while the pod was created and unloaded afterwards: the
# container was started under it and keeps running. containerd looks the name
# up only when it creates the container.
sed 's/^profile k8s-apparmor-example-deny-write /profile k8s-apparmor-example-allow-write /' \
  "$HL_LAB_FILES/manifests/k8s-apparmor-example-deny-write" > /tmp/k8s-apparmor-example-allow-write
apparmor_parser -r /tmp/k8s-apparmor-example-allow-write
kubectl -n apparmor-lab delete pod hello-apparmor-2 --ignore-not-found --wait=true --grace-period=1
kubectl apply -f "$HL_LAB_FILES/manifests/hello-apparmor-2.yaml"
kubectl -n apparmor-lab wait --for=condition=Ready pod/hello-apparmor-2 --timeout=120s
printf '%s' 'k8s-apparmor-example-allow-write' > /sys/kernel/security/apparmor/.remove
rm -f /tmp/k8s-apparmor-example-allow-write
