# Loaded with -C (complain mode): the kernel only logs what the profile would
# deny. -r replaces the enforcing copy the reference solution loaded.
apparmor_parser -C -r "$HL_LAB_FILES/manifests/k8s-apparmor-example-deny-write"
grep -x 'k8s-apparmor-example-deny-write (complain)' /sys/kernel/security/apparmor/profiles
