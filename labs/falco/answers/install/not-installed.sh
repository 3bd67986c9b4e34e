# Falco installed somewhere else, or not at all: nothing runs in namespace falco.
kubectl delete namespace falco --ignore-not-found --wait=true --timeout=180s
