# The custom rule as ConfigMap falco-rules, mounted by the DaemonSet at
# /etc/falco/rules.d; restart so Falco loads it now rather than within a minute.
kubectl -n falco create configmap falco-rules \
  --from-file=hardening-lab-rules.yaml="$HL_LAB_FILES/manifests/rules/hardening-lab-rules.yaml" \
  --dry-run=client -o yaml | kubectl apply -f -
kubectl -n falco rollout restart daemonset/falco
kubectl -n falco rollout status daemonset/falco --timeout=240s
pods=$(kubectl -n falco get pods -l app.kubernetes.io/name=falco -o name | wc -l)
for _ in $(seq 1 45); do
  loaded=$(kubectl -n falco logs -l app.kubernetes.io/name=falco -c falco --tail=-1 --prefix \
    | grep -c "rules.d/hardening-lab-rules.yaml | schema validation: ok" || true)
  if [ "$loaded" -ge "$pods" ]; then break; fi
  sleep 2
done
kubectl -n falco logs -l app.kubernetes.io/name=falco -c falco --tail=-1 | grep "rules.d" || true
