# Find etcd by its exact process name: "ps aux | grep etcd" also lists
# kube-apiserver (its flags say --etcd-servers=...) and the grep itself.
ETCD_PID=$(pgrep -x etcd)
echo "etcd PID: $ETCD_PID"
tr '\0' '\n' </proc/"$ETCD_PID"/cmdline | grep -- --data-dir
ls -l /proc/"$ETCD_PID"/fd | grep /var/lib/etcd

# strace is not in kind's node image; install it when missing (needs internet).
command -v strace >/dev/null || { apt-get update && apt-get install -y strace; }

# -f: follow all of etcd's threads. In a terminal, "&" is enough; in a script,
# stdin/stdout/stderr must not stay tied to the script, or its caller waits
# for strace to finish.
strace -f -p "$ETCD_PID" -e trace=write,pwrite64 -s 512 -o /root/etcd-trace.txt </dev/null >/root/etcd-strace.log 2>&1 &
echo $! >/root/etcd-strace.pid

# strace writes its output in blocks: wait for the first one.
for _ in $(seq 30); do
  [[ -s /root/etcd-trace.txt ]] && break
  sleep 1
done
head -n 3 /root/etcd-trace.txt | cut -c1-160
