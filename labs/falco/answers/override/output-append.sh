# override with output: append: the pod is added at the end of the stock text,
# not named first as the step asks.
cp "$HL_LAB_FILES/manifests/rules/hardening-lab-rules.yaml" /tmp/hl-answer-rules.yaml
cat >> /tmp/hl-answer-rules.yaml <<'RULES'

- rule: Read sensitive file untrusted
  output: pod=%k8s.pod.name ns=%k8s.ns.name
  override:
    output: append
RULES
kubectl -n falco create configmap falco-rules --from-file=hardening-lab-rules.yaml=/tmp/hl-answer-rules.yaml \
  --dry-run=client -o yaml | kubectl apply -f -
rm -f /tmp/hl-answer-rules.yaml
kubectl -n falco rollout restart daemonset/falco
kubectl -n falco rollout status daemonset/falco --timeout=240s
pods=$(kubectl -n falco get pods -l app.kubernetes.io/name=falco -o name | wc -l)
for _ in $(seq 1 45); do
  loaded=$(kubectl -n falco logs -l app.kubernetes.io/name=falco -c falco --tail=-1 --prefix \
    | grep -c "rules.d/hardening-lab-rules.yaml | schema validation: ok" || true)
  if [ "$loaded" -ge "$pods" ]; then break; fi
  sleep 2
done
# Trigger the stock rule, as the step does.
kubectl -n falco-lab exec etc-writer -- cat /etc/shadow > /dev/null
sleep 3
