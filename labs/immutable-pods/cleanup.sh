# Everything the steps create lives in this namespace; --wait returns once the
# pods are gone, so the next start begins from nothing.
kubectl delete namespace immutable-pods --ignore-not-found --wait=true --timeout=150s
