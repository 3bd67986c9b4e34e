# No TTY and buffered outputs: alerts sit in stdout's buffer and reach
# `kubectl logs` late, or only when the buffer fills.
sed 's/buffered_outputs: false/buffered_outputs: true/' "$HL_LAB_FILES/manifests/install/10-falco-config.yaml" | kubectl apply -f -
sed '/tty: true/d' "$HL_LAB_FILES/manifests/install/20-falco-daemonset.yaml" | kubectl apply -f -
kubectl -n falco rollout restart daemonset/falco
kubectl -n falco rollout status daemonset/falco --timeout=240s
