# Create the secret while strace runs (recreate it if it already exists).
kubectl delete secret lab-secret --ignore-not-found
kubectl create secret generic lab-secret --from-literal=password=S3cr3tValue

# Stop strace so it flushes its last block, and wait until it has detached.
sleep 2
STRACE_PID=$(cat /root/etcd-strace.pid)
kill "$STRACE_PID"
while kill -0 "$STRACE_PID" 2>/dev/null; do sleep 0.5; done

# The value in etcd's write calls, and in its write-ahead log on disk.
grep -c -a S3cr3tValue /root/etcd-trace.txt
grep -a -o -m1 '.\{0,60\}S3cr3tValue.\{0,20\}' /root/etcd-trace.txt | head -n1
grep -a -l S3cr3tValue /var/lib/etcd/member/wal/*.wal
