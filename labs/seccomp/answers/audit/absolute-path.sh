# An absolute localhostProfile: the API server refuses the pod, so there is none.
kubectl -n seccomp delete pod audit-pod --ignore-not-found --wait=true
kubectl apply -f - <<'YAML' || true
apiVersion: v1
kind: Pod
metadata:
  name: audit-pod
  namespace: seccomp
spec:
  terminationGracePeriodSeconds: 1
  securityContext:
    seccompProfile:
      type: Localhost
      localhostProfile: /var/lib/kubelet/seccomp/profiles/audit.json
  containers:
    - name: app
      image: busybox:1.36
      imagePullPolicy: IfNotPresent
      command: ["sh", "-c", "while true; do sleep 10; mkdir /tmp/audit-me; rmdir /tmp/audit-me; done"]
YAML
