# Right, written differently: unloaded, then loaded again from the worker's
# terminal, with the long option and the profile on stdin. Profiles are
# kernel-global, so the control plane sees it too.
printf '%s' 'k8s-apparmor-example-deny-write' > /sys/kernel/security/apparmor/.remove
apparmor_parser --replace < "$HL_LAB_FILES/manifests/k8s-apparmor-example-deny-write"
grep -x 'k8s-apparmor-example-deny-write (enforce)' /sys/kernel/security/apparmor/profiles
