# The profile file written to /etc/apparmor.d and never loaded: nothing reads
# that directory until the AppArmor service starts at boot. First unload the
# reference solution's copy, so that only the file is left.
printf '%s' 'k8s-apparmor-example-deny-write' > /sys/kernel/security/apparmor/.remove
cp "$HL_LAB_FILES/manifests/k8s-apparmor-example-deny-write" /etc/apparmor.d/k8s-apparmor-example-deny-write
! grep -q '^k8s-apparmor-example-deny-write ' /sys/kernel/security/apparmor/profiles
