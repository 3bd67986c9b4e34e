# Everything the lab creates lives in two namespaces (a Helm release of Falco
# too: its release record is a Secret in namespace falco).
kubectl delete namespace falco-lab --ignore-not-found --wait=true
kubectl delete namespace falco --ignore-not-found --wait=true
rm -f /root/hardening-lab-rules.yaml
