# The namespace every step works in.
kubectl create namespace immutable-pods --dry-run=client -o yaml | kubectl apply -f -
# The controller manager creates the namespace's default service account a
# moment later; pods created before it exists are refused
# ("serviceaccount default not found"), so wait for it.
for _ in $(seq 1 60); do
  kubectl -n immutable-pods get serviceaccount default >/dev/null 2>&1 && break
  sleep 1
done
