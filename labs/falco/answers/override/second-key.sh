# Right, written differently: the override in a file of its own (a second
# ConfigMap key, loaded after the first), replacing the output and also
# appending to the condition.
cat > /tmp/hl-answer-override.yaml <<'RULES'
- list: hl_backup_agents
  items: [backup-agent]

- rule: Read sensitive file untrusted
  condition: and not proc.name in (hl_backup_agents)
  output: >-
    Pod read a sensitive file: pod=%k8s.pod.name ns=%k8s.ns.name
    file=%fd.name command=%proc.cmdline
  override:
    condition: append
    output: replace
RULES
kubectl -n falco create configmap falco-rules \
  --from-file=hardening-lab-rules.yaml="$HL_LAB_FILES/manifests/rules/hardening-lab-rules.yaml" \
  --from-file=zz-overrides.yaml=/tmp/hl-answer-override.yaml \
  --dry-run=client -o yaml | kubectl apply -f -
rm -f /tmp/hl-answer-override.yaml
kubectl -n falco rollout restart daemonset/falco
kubectl -n falco rollout status daemonset/falco --timeout=240s
for _ in $(seq 1 30); do
  kubectl -n falco-lab exec etc-writer -- cat /etc/shadow > /dev/null
  sleep 2
  kubectl -n falco logs -l app.kubernetes.io/name=falco -c falco --tail=-1 | grep -q "Pod read a sensitive file" && break
done
