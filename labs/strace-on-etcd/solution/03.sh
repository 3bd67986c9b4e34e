# A fresh 32-byte key, in an EncryptionConfiguration readable by root only.
mkdir -p /etc/kubernetes/enc
KEY=$(head -c 32 /dev/urandom | base64)
cat >/etc/kubernetes/enc/enc.yaml <<EOT
apiVersion: apiserver.config.k8s.io/v1
kind: EncryptionConfiguration
resources:
  - resources:
      - secrets
    providers:
      - aescbc:
          keys:
            - name: key1
              secret: ${KEY}
      - identity: {}
EOT
chmod 600 /etc/kubernetes/enc/enc.yaml
grep -v 'secret:' /etc/kubernetes/enc/enc.yaml
