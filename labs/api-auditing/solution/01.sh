# Write the audit policy on the control-plane node.
mkdir -p /etc/kubernetes/audit
cat > /etc/kubernetes/audit/policy.yaml <<'POLICY'
apiVersion: audit.k8s.io/v1
kind: Policy
# One event per request, written when the response is complete.
omitStages:
  - RequestReceived
rules:
  # 1. Secrets: who read or changed which secret, when, from where; never the data.
  - level: Metadata
    resources:
      - group: ""
        resources: ["secrets"]
  # 2. Health probes: thousands a day and no security value.
  - level: None
    nonResourceURLs: ["/healthz*", "/livez*", "/readyz*"]
  # 3. Everything else: metadata as well.
  - level: Metadata
POLICY
cat /etc/kubernetes/audit/policy.yaml
