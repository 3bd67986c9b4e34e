# A new rule without priority: Falco refuses the whole file.
key=hardening-lab-rules.yaml
cat > /tmp/hl-answer-rules.yaml <<'RULES'
- rule: Write below etc in container
  desc: A process in a container opened a file below /etc for writing.
  condition: open_write and container and fd.name startswith /etc/
  output: >-
    File below /etc opened for writing in a container
    (file=%fd.name command=%proc.cmdline user=%user.name
    pod=%k8s.pod.name ns=%k8s.ns.name container=%container.name image=%container.image.repository)
RULES
# Apply as the step does, then start Falco afresh: it refuses the file and
# exits. Wait until every new Falco pod has exited at least once.
kubectl -n falco create configmap falco-rules --from-file="$key=/tmp/hl-answer-rules.yaml" --dry-run=client -o yaml | kubectl apply -f -
rm -f /tmp/hl-answer-rules.yaml
kubectl -n falco delete pod -l app.kubernetes.io/name=falco --wait=true --timeout=120s
for _ in $(seq 1 60); do
  pods=$(kubectl -n falco get pods -l app.kubernetes.io/name=falco -o name | wc -l)
  crashed=$(kubectl -n falco get pods -l app.kubernetes.io/name=falco \
    -o jsonpath='{range .items[*]}{.status.containerStatuses[?(@.name=="falco")].restartCount}{"\n"}{end}' \
    | grep -c '^[1-9]' || true)
  if [ "$pods" -ge 1 ] && [ "$crashed" -ge "$pods" ]; then break; fi
  sleep 2
done
