# The blog's deprecated form: append: true on the whole entry. Falco loads it
# with a LOAD_DEPRECATED_ITEM warning, and it can only add, never replace the output.
cp "$HL_LAB_FILES/manifests/rules/hardening-lab-rules.yaml" /tmp/hl-answer-rules.yaml
cat >> /tmp/hl-answer-rules.yaml <<'RULES'

- rule: Read sensitive file untrusted
  condition: and not proc.name = backup-agent
  append: true
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
