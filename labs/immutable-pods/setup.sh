# The namespace every step works in.
kubectl create namespace immutable-pods --dry-run=client -o yaml | kubectl apply -f -
