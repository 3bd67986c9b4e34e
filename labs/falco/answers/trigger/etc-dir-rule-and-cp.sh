# Right, written differently: the rule with the stock etc_dir macro (issue 11:
# this failed for not spelling /etc), and another write below /etc (cp).
# Keeps the rule's name, so the reference solution still finds its alert.
cat > /tmp/hl-answer-rules.yaml <<'RULES'
- rule: Write below etc in container
  desc: A process in a container opened a file below /etc for writing.
  condition: open_write and container and etc_dir
  output: >-
    File below /etc opened for writing in a container
    (file=%fd.name command=%proc.cmdline pod=%k8s.pod.name ns=%k8s.ns.name)
  priority: WARNING
RULES
kubectl -n falco create configmap falco-rules --from-file=hardening-lab-rules.yaml=/tmp/hl-answer-rules.yaml \
  --dry-run=client -o yaml | kubectl apply -f -
rm -f /tmp/hl-answer-rules.yaml
# Restart Falco so every pod runs this rule, with fresh logs.
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
for _ in $(seq 1 15); do
  kubectl -n falco-lab exec etc-writer -- cp /etc/hostname /etc/hl-falco-copy
  sleep 2
  kubectl -n falco logs -l app.kubernetes.io/name=falco -c falco --tail=-1 \
    | grep '"rule":"Write below etc in container"' | grep -q '"fd.name":"/etc/hl-falco-copy"' && break
done
