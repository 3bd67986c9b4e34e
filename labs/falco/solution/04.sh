# Same ConfigMap, now with an override entry replacing the output of the
# stock rule "Read sensitive file untrusted"; then trigger it.
kubectl -n falco create configmap falco-rules \
  --from-file=hardening-lab-rules.yaml="$HL_LAB_FILES/manifests/rules/hardening-lab-rules-with-override.yaml" \
  --dry-run=client -o yaml | kubectl apply -f -
kubectl -n falco rollout restart daemonset/falco
kubectl -n falco rollout status daemonset/falco --timeout=240s
for _ in $(seq 1 30); do
  kubectl -n falco-lab exec etc-writer -- cat /etc/shadow > /dev/null
  sleep 2
  if kubectl -n falco logs -l app.kubernetes.io/name=falco -c falco --tail=-1 | grep -q "Sensitive file read in a pod"; then break; fi
done
kubectl -n falco logs -l app.kubernetes.io/name=falco -c falco --tail=-1 | grep "Sensitive file read in a pod" | tail -1
