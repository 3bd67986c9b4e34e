# The rules file as a ConfigMap key without .yaml: Falco skips it silently.
key=hardening-lab-rules.txt
cat > /tmp/hl-answer-rules.yaml <<'RULES'
# Custom Falco rules of the hardening-lab falco lab, loaded from
# /etc/falco/rules.d after the stock falco_rules.yaml.
#
# The stock rule "Write below etc" lives in the sandbox ruleset, which Falco
# does not load by default: without this rule, writing under /etc in a
# container raises no alert at all.
- rule: Write below etc in container
  desc: A process in a container opened a file below /etc for writing.
  condition: open_write and container and fd.name startswith /etc/
  output: >-
    File below /etc opened for writing in a container
    (file=%fd.name command=%proc.cmdline user=%user.name
    pod=%k8s.pod.name ns=%k8s.ns.name container=%container.name image=%container.image.repository)
  priority: WARNING
  tags: [filesystem, container, hardening_lab]
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
    | grep -c "Loading rules from" || true)
  if [ "$loaded" -ge "$pods" ]; then break; fi
  sleep 2
done
