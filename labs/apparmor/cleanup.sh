# Remove the lab's pods, then unload the profiles from the (shared) kernel:
# the lab's own, and the names its steps and common mistakes load (step 3's
# allow-write, a profile line renamed to deny-write).
kubectl delete namespace apparmor-lab --ignore-not-found --wait=true
profiles=/sys/kernel/security/apparmor/profiles
for name in k8s-apparmor-example-deny-write k8s-apparmor-example-allow-write deny-write; do
  if [ -r "$profiles" ] && grep -q "^$name " "$profiles"; then
    # Unload by name: works whether or not the profile file is still on this node.
    printf '%s' "$name" > /sys/kernel/security/apparmor/.remove
  fi
  rm -f "/etc/apparmor.d/$name"
done
