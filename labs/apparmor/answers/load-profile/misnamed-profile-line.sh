# The profile line renamed to the file's short name ("profile deny-write"): the
# kernel knows a profile by that line, so k8s-apparmor-example-deny-write is
# not loaded. First unload the reference solution's copy (by name, as cleanup does).
printf '%s' 'k8s-apparmor-example-deny-write' > /sys/kernel/security/apparmor/.remove
sed 's/^profile k8s-apparmor-example-deny-write /profile deny-write /' \
  "$HL_LAB_FILES/manifests/k8s-apparmor-example-deny-write" > /etc/apparmor.d/deny-write
apparmor_parser -r /etc/apparmor.d/deny-write
grep -x 'deny-write (enforce)' /sys/kernel/security/apparmor/profiles
