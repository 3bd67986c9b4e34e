# The pod with securityContext.appArmorProfile (Localhost, the lab's profile).
# Security settings are fixed at creation: replace whatever pod is there
# (--grace-period=1: the pod's sh, PID 1, ignores SIGTERM; 30 s otherwise).
kubectl -n apparmor-lab delete pod hello-apparmor --ignore-not-found --wait=true --grace-period=1
kubectl apply -f "$HL_LAB_FILES/manifests/hello-apparmor.yaml"
kubectl -n apparmor-lab wait --for=condition=Ready pod/hello-apparmor --timeout=120s
kubectl -n apparmor-lab exec hello-apparmor -- cat /proc/1/attr/current
# The write must fail; print the denial without failing the script.
kubectl -n apparmor-lab exec hello-apparmor -- touch /tmp/test || true
