# Right, written differently: the learner copies the audit profile into a
# directory of their own under the seccomp root and names it relative to that
# root. The copy is only on this (control-plane) node, so the pod is pinned here
# (the toleration lets it onto the control plane).
node=$(kubectl get nodes -l node-role.kubernetes.io/control-plane -o jsonpath='{.items[0].metadata.name}')
mkdir -p /var/lib/kubelet/seccomp/my-profiles
cp /var/lib/kubelet/seccomp/profiles/audit.json /var/lib/kubelet/seccomp/my-profiles/audit.json
kubectl -n seccomp delete pod audit-pod --ignore-not-found --wait=true
kubectl apply -f - <<YAML
apiVersion: v1
kind: Pod
metadata:
  name: audit-pod
  namespace: seccomp
spec:
  terminationGracePeriodSeconds: 1
  nodeSelector:
    kubernetes.io/hostname: ${node}
  tolerations:
    - key: node-role.kubernetes.io/control-plane
      operator: Exists
      effect: NoSchedule
  securityContext:
    seccompProfile:
      type: Localhost
      localhostProfile: my-profiles/audit.json
  containers:
    - name: app
      image: busybox:1.36
      imagePullPolicy: IfNotPresent
      command: ["sh", "-c", "while true; do sleep 10; mkdir /tmp/audit-me; rmdir /tmp/audit-me; done"]
YAML
kubectl -n seccomp wait --for=condition=Ready pod/audit-pod --timeout=120s
