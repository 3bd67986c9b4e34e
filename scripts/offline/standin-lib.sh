# shellcheck shell=bash
# Stage functions for the stand-in workload images (sourced after lib.sh).
# The stand-ins replace Docker Hub images the labs use when no registry is
# reachable. They are built from Debian bookworm packages, never pulled.

SLIM_ROOTFS="$WORK_DIR/slim-rootfs"
# Tags the lab manifests use (explicit tags, so imagePullPolicy defaults to
# IfNotPresent and kind-loaded images are used as they are).
NGINX_TAGS=(nginx:1.27 nginx:latest)
BUSYBOX_TAGS=(busybox:1.36 busybox:latest)
STANDIN_LABEL="org.opencontainers.image.description=\"hardening-lab offline stand-in, built from Debian ${DEBIAN_SUITE} packages (not the Docker Hub image)\""

stage_slim_rootfs() {
  # Small Debian rootfs shared by the nginx stand-in, the kube-proxy image and
  # the offline pod-network image (iproute2, jq, curl).
  debootstrap_rootfs "$SLIM_ROOTFS" nginx-light busybox-static iptables conntrack iproute2 jq curl
  chroot "$SLIM_ROOTFS" nginx -v
  du -sh "$SLIM_ROOTFS"
}

check_slim_rootfs() { [[ -x "$SLIM_ROOTFS/usr/sbin/nginx" && -x "$SLIM_ROOTFS/usr/bin/jq" ]]; }

_nginx_tree() {
  local t=$1
  rm -rf "$t"; cp -a "$SLIM_ROOTFS" "$t"
  # Like the official image: user nginx (uid/gid 101), temp files under
  # /var/cache/nginx, pid in /var/run, logs to stdout/stderr, site in /usr/share/nginx/html.
  chroot "$t" groupadd --system --gid 101 nginx
  chroot "$t" useradd --system --uid 101 --gid nginx --no-create-home --home-dir /nonexistent \
    --shell /usr/sbin/nologin nginx
  rm -rf "$t/etc/nginx/sites-enabled" "$t/etc/nginx/sites-available" "$t/var/lib/nginx" "$t/var/www"
  mkdir -p "$t/etc/nginx/conf.d" "$t/usr/share/nginx/html" "$t/var/cache/nginx" "$t/var/log/nginx"
  chroot "$t" chown nginx:nginx /var/cache/nginx
  ln -sf /dev/stdout "$t/var/log/nginx/access.log"
  ln -sf /dev/stderr "$t/var/log/nginx/error.log"
  cat >"$t/etc/nginx/nginx.conf" <<'EOF'
# hardening-lab stand-in for the official nginx image (Debian nginx-light).
user  nginx;
worker_processes  auto;

error_log  /var/log/nginx/error.log notice;
pid        /var/run/nginx.pid;

events {
    worker_connections  1024;
}

http {
    include       /etc/nginx/mime.types;
    default_type  application/octet-stream;

    log_format  main  '$remote_addr - $remote_user [$time_local] "$request" '
                      '$status $body_bytes_sent "$http_referer" '
                      '"$http_user_agent" "$http_x_forwarded_for"';
    access_log  /var/log/nginx/access.log  main;

    # All writable state lives in /var/cache/nginx (and the pid in /var/run),
    # so a read-only root filesystem works with emptyDirs on those two paths.
    client_body_temp_path /var/cache/nginx/client_temp;
    proxy_temp_path       /var/cache/nginx/proxy_temp;
    fastcgi_temp_path     /var/cache/nginx/fastcgi_temp;
    uwsgi_temp_path       /var/cache/nginx/uwsgi_temp;
    scgi_temp_path        /var/cache/nginx/scgi_temp;

    sendfile        on;
    keepalive_timeout  65;

    include /etc/nginx/conf.d/*.conf;
}
EOF
  cat >"$t/etc/nginx/conf.d/default.conf" <<'EOF'
server {
    listen       80;
    listen  [::]:80;
    server_name  localhost;

    location / {
        root   /usr/share/nginx/html;
        index  index.html index.htm;
    }

    error_page   500 502 503 504  /50x.html;
    location = /50x.html {
        root   /usr/share/nginx/html;
    }
}
EOF
  cat >"$t/usr/share/nginx/html/index.html" <<'EOF'
<!DOCTYPE html>
<html>
<head><title>Welcome to nginx!</title></head>
<body>
<h1>Welcome to nginx!</h1>
<p>hardening-lab offline stand-in: Debian's nginx-light, configured like the official image.</p>
</body>
</html>
EOF
  cat >"$t/usr/share/nginx/html/50x.html" <<'EOF'
<!DOCTYPE html>
<html><head><title>Error</title></head><body><h1>An error occurred.</h1></body></html>
EOF
}

_busybox_tree() {
  local t=$1 applet
  rm -rf "$t"; mkdir -p "$t"/{bin,etc,tmp,root,home,var/www,usr/bin,usr/sbin,sbin,proc,sys,dev}
  chmod 1777 "$t/tmp"; chmod 700 "$t/root"
  cp "$SLIM_ROOTFS/bin/busybox" "$t/bin/busybox"
  # Debian's busybox-static is linked against glibc, whose getaddrinfo and
  # getservbyname load NSS modules at run time: without them wget/nc crash.
  local libdir f
  libdir="$(cd "$SLIM_ROOTFS" && echo usr/lib/*-linux-gnu)"
  mkdir -p "$t/$libdir" "$t/lib64"
  for f in libc.so.6 libnss_files.so.2 libnss_dns.so.2 libresolv.so.2 ld-linux-x86-64.so.2; do
    [[ -e "$SLIM_ROOTFS/$libdir/$f" ]] && cp -L "$SLIM_ROOTFS/$libdir/$f" "$t/$libdir/$f"
  done
  [[ -e "$t/$libdir/ld-linux-x86-64.so.2" ]] && ln -sf "/$libdir/ld-linux-x86-64.so.2" "$t/lib64/ld-linux-x86-64.so.2"
  ln -s "usr/lib" "$t/lib"
  printf 'passwd: files\ngroup: files\nhosts: files dns\nservices: files\n' >"$t/etc/nsswitch.conf"
  if [[ -f "$SLIM_ROOTFS/etc/services" ]]; then cp "$SLIM_ROOTFS/etc/services" "$t/etc/services"
  else printf 'http\t\t80/tcp\nhttps\t\t443/tcp\n' >"$t/etc/services"; fi
  for applet in $("$t/bin/busybox" --list); do
    [[ "$applet" == busybox ]] && continue
    ln -s busybox "$t/bin/$applet"
  done
  cat >"$t/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
daemon:x:1:1:daemon:/usr/sbin:/bin/false
bin:x:2:2:bin:/bin:/bin/false
sys:x:3:3:sys:/dev:/bin/false
sync:x:4:100:sync:/bin:/bin/sync
mail:x:8:8:mail:/var/spool/mail:/bin/false
www-data:x:33:33:www-data:/var/www:/bin/false
operator:x:37:37:Operator:/var:/bin/false
nobody:x:65534:65534:nobody:/home:/bin/false
EOF
  cat >"$t/etc/group" <<'EOF'
root:x:0:
daemon:x:1:
bin:x:2:
sys:x:3:
adm:x:4:
tty:x:5:
disk:x:6:
wheel:x:10:root
mail:x:12:
www-data:x:33:
operator:x:37:
users:x:100:
nogroup:x:65534:
EOF
}

stage_standin_images() {
  local t="$WORK_DIR/standin-tree" tag old_nginx old_busybox
  old_nginx="$(image_id "${NGINX_TAGS[0]}")"; old_busybox="$(image_id "${BUSYBOX_TAGS[0]}")"
  _nginx_tree "$t"
  tar -C "$t" --numeric-owner -c . | docker import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'EXPOSE 80' \
    --change 'CMD ["nginx", "-g", "daemon off;"]' \
    --change "LABEL $STANDIN_LABEL" \
    - "${NGINX_TAGS[0]}"
  docker_set_stopsignal "${NGINX_TAGS[0]}" SIGQUIT
  for tag in "${NGINX_TAGS[@]:1}"; do docker tag "${NGINX_TAGS[0]}" "$tag"; done

  _busybox_tree "$t"
  tar -C "$t" --numeric-owner -c . | docker import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["sh"]' \
    --change "LABEL $STANDIN_LABEL" \
    - "${BUSYBOX_TAGS[0]}"
  for tag in "${BUSYBOX_TAGS[@]:1}"; do docker tag "${BUSYBOX_TAGS[0]}" "$tag"; done
  rm -rf "$t"

  # Smoke tests: nginx serves on :80 with a read-only root and emptyDir-like
  # tmpfs mounts on /var/cache/nginx and /var/run; busybox has sh + coreutils.
  local cid smoke="hardening-lab-standin-smoke-$$"
  trap 'docker rm -f "'"$smoke"'" "'"$smoke"'-2" >/dev/null 2>&1 || true' EXIT
  cid="$(docker run -d --name "$smoke" --read-only --tmpfs /var/cache/nginx --tmpfs /var/run "${NGINX_TAGS[0]}")"
  sleep 2
  docker exec "$cid" sh -c 'test -x /bin/bash && command -v touch && ! touch /x 2>/dev/null && echo read-only-ok'
  docker exec "$cid" bash -c 'exec 3<>/dev/tcp/127.0.0.1/80; printf "GET / HTTP/1.0\r\n\r\n" >&3; head -1 <&3' | grep -q '200 OK'
  docker logs "$cid" 2>&1 | tail -5
  docker rm -f "$cid" >/dev/null
  docker run --rm "${BUSYBOX_TAGS[0]}" sh -c 'echo hi | tr a-z A-Z && ls / >/dev/null && touch /tmp/x && mkdir /tmp/d'
  # wget through glibc's resolver (NSS) must not crash
  cid="$(docker run -d --name "$smoke-2" "${NGINX_TAGS[0]}")"
  local ip; ip="$(docker inspect -f '{{.NetworkSettings.IPAddress}}' "$cid")"
  # (Debian's busybox 1.35 wget crashes with -T: use `timeout 5 wget ...` instead)
  docker run --rm "${BUSYBOX_TAGS[0]}" timeout 10 wget -q -O /dev/null "http://$ip/"
  docker run --rm "${BUSYBOX_TAGS[0]}" sh -c 'timeout 5 wget -q -O /dev/null http://localhost/; test $? -ne 139'
  docker rm -f "$cid" >/dev/null
  retire_image "$old_nginx"; retire_image "$old_busybox"
  docker images --format '{{.Repository}}:{{.Tag}} {{.Size}}' | grep -E '^(nginx|busybox):'
}

check_standin_images() {
  local tag
  for tag in "${NGINX_TAGS[@]}" "${BUSYBOX_TAGS[@]}"; do image_exists "$tag" || return 1; done
}
