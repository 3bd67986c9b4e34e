# A write in the pod, but to /tmp: not below /etc.
# Start from fresh Falco logs (the reference solution's alert is in the old
# ones), with the rule loaded by every Falco pod.
kubectl -n falco rollout restart daemonset/falco
kubectl -n falco rollout status daemonset/falco --timeout=240s
# The old pods' logs hold the earlier alert: wait until they are gone.
for _ in $(seq 1 60); do
  leaving=$(kubectl -n falco get pods -l app.kubernetes.io/name=falco \
    -o jsonpath='{range .items[*]}{.metadata.deletionTimestamp}{"\n"}{end}' | grep -c . || true)
  if [ "$leaving" -eq 0 ]; then break; fi
  sleep 2
done
pods=$(kubectl -n falco get pods -l app.kubernetes.io/name=falco -o name | wc -l)
for _ in $(seq 1 45); do
  loaded=$(kubectl -n falco logs -l app.kubernetes.io/name=falco -c falco --tail=-1 --prefix \
    | grep -c "rules.d/hardening-lab-rules.yaml | schema validation: ok" || true)
  if [ "$loaded" -ge "$pods" ]; then break; fi
  sleep 2
done
kubectl -n falco-lab exec etc-writer -- sh -c 'echo hacked >> /tmp/hl-falco-probe'
sleep 3
