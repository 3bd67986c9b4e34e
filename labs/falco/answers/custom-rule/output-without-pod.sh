# An output that names neither the file nor the pod: the alert says nothing useful.
key=hardening-lab-rules.yaml
cat > /tmp/hl-answer-rules.yaml <<'RULES'
- rule: Write below etc in container
  desc: A process in a container opened a file below /etc for writing.
  condition: open_write and container and fd.name startswith /etc/
  output: Something wrote below /etc (command=%proc.cmdline)
  priority: WARNING
RULES
# Apply as the step does (create | apply), then restart and wait until every
# Falco pod's latest load lists the file.
kubectl -n falco create configmap falco-rules --from-file="$key=/tmp/hl-answer-rules.yaml" --dry-run=client -o yaml | kubectl apply -f -
rm -f /tmp/hl-answer-rules.yaml
kubectl -n falco rollout restart daemonset/falco
kubectl -n falco rollout status daemonset/falco --timeout=240s
pods=$(kubectl -n falco get pods -l app.kubernetes.io/name=falco -o name | wc -l)
for _ in $(seq 1 45); do
  loaded=$(kubectl -n falco logs -l app.kubernetes.io/name=falco -c falco --tail=-1 --prefix \
    | grep -c "rules.d/$key | schema validation: ok" || true)
  if [ "$loaded" -ge "$pods" ]; then break; fi
  sleep 2
done
