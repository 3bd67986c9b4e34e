# Create a secret while auditing runs, and find its event in the log.
log=/var/log/kubernetes/audit/audit.log
kubectl -n audit-lab delete secret db-password --ignore-not-found
kubectl -n audit-lab create secret generic db-password --from-literal=password=S3cr3tValue

# The event is written once the response is complete: give it a moment.
for _ in $(seq 1 20); do
  grep -F '"name":"db-password"' "$log" | grep -q '"verb":"create"' && break
  sleep 1
done
grep -F '"name":"db-password"' "$log" | grep '"verb":"create"' | tail -n 1 | jq '{level, verb, objectRef, user: .user.username, requestObject}'

# The value is nowhere in the log, neither as typed nor base64-encoded (UzNjcjN0VmFsdWU=).
if grep -qE 'S3cr3tValue|UzNjcjN0VmFsdWU=' "$log"; then
  echo "LEAK: the secret value is in the audit log" >&2
  exit 1
fi
echo "The audit log knows who created db-password, not what it contains."
