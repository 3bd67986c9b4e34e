# Encryption applies on write: rewrite every existing secret.
kubectl get secrets -A -o json | kubectl replace -f -

# Ask etcd itself. The etcd image has etcdctl but no shell: call it directly.
ETCD_POD=$(kubectl -n kube-system get pods -l component=etcd -o jsonpath='{.items[0].metadata.name}')
kubectl -n kube-system exec "$ETCD_POD" -- etcdctl --endpoints=https://127.0.0.1:2379 \
  --cacert=/etc/kubernetes/pki/etcd/ca.crt --cert=/etc/kubernetes/pki/etcd/server.crt \
  --key=/etc/kubernetes/pki/etcd/server.key \
  get /registry/secrets/default/lab-secret --print-value-only | head -c 64 | cat -v
echo

# Authorised clients still read it through the API.
kubectl get secret lab-secret -o jsonpath='{.data.password}' | base64 -d
echo
