#!/usr/bin/env bash
# RuntimeDefault at pod level: every container of the pod gets the runtime's
# default profile unless it sets its own.
kubectl create namespace seccomp --dry-run=client -o yaml | kubectl apply -f -
# Pods are refused until the namespace's default service account exists.
until kubectl -n seccomp get serviceaccount default >/dev/null 2>&1; do sleep 1; done
kubectl -n seccomp delete pod default-pod --ignore-not-found --wait=true
kubectl apply -f - <<'YAML'
apiVersion: v1
kind: Pod
metadata:
  name: default-pod
  namespace: seccomp
spec:
  terminationGracePeriodSeconds: 1
  securityContext:
    seccompProfile:
      type: RuntimeDefault
  containers:
    - name: app
      image: busybox:1.36
      imagePullPolicy: IfNotPresent
      command: ["sleep", "86400"]
YAML
kubectl -n seccomp wait --for=condition=Ready pod/default-pod --timeout=120s
