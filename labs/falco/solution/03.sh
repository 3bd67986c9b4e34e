# The attack: a write below /etc in a pod, then wait for the JSON alert.
kubectl apply -f "$HL_LAB_FILES/manifests/etc-writer.yaml"
kubectl -n falco-lab wait --for=condition=Ready pod/etc-writer --timeout=180s
for _ in $(seq 1 30); do
  kubectl -n falco-lab exec etc-writer -- sh -c 'echo hacked >> /etc/hl-falco-probe'
  sleep 2
  if kubectl -n falco logs -l app.kubernetes.io/name=falco -c falco --tail=-1 \
    | grep '"rule":"Write below etc in container"' | grep -q '"k8s.pod.name":"etc-writer"'; then
    break
  fi
done
kubectl -n falco logs -l app.kubernetes.io/name=falco -c falco --tail=-1 | grep '"rule":"Write below etc in container"' | tail -1
