# containerd needs /sbin/apparmor_parser in the node (it checks once, at start).
if ! command -v apparmor_parser >/dev/null; then
  apt-get update && apt-get install -y apparmor && systemctl restart containerd
fi
# Load the profile into the kernel (kernel-global: every kind node sees it).
apparmor_parser -r "$HL_LAB_FILES/manifests/k8s-apparmor-example-deny-write"
grep -qx 'k8s-apparmor-example-deny-write (enforce)' /sys/kernel/security/apparmor/profiles
