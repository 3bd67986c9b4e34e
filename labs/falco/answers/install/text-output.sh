# json_output left at false: alerts are lines of text, nothing to parse.
sed 's/json_output: true/json_output: false/' "$HL_LAB_FILES/manifests/install/10-falco-config.yaml" | kubectl apply -f -
kubectl -n falco rollout restart daemonset/falco
kubectl -n falco rollout status daemonset/falco --timeout=240s
