# Remove the lab's pods, then unload the profile from the (shared) kernel.
kubectl delete namespace apparmor-lab --ignore-not-found --wait=true
profiles=/sys/kernel/security/apparmor/profiles
if [ -r "$profiles" ] && grep -q '^k8s-apparmor-example-deny-write ' "$profiles"; then
  # Unload by name: works whether or not the profile file is still on this node.
  printf '%s' 'k8s-apparmor-example-deny-write' > /sys/kernel/security/apparmor/.remove
fi
rm -f /etc/apparmor.d/k8s-apparmor-example-deny-write
