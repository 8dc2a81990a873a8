#!/bin/sh
# Starts nginx in front of fraudgov (deploy/nginx.conf.template). The TLS certificate is
# TLS_CERT/TLS_KEY (mount them, e.g. from a secret); if they do not exist, a self-signed one for
# TLS_CN is made once, at first start, and kept in the same place (a volume in compose).
set -eu

: "${NGINX_USER:=www-data}"
: "${NGINX_WORKERS:=auto}"
: "${NGINX_RUN_DIR:=/run/fraudgov-nginx}"
: "${NGINX_MIME_TYPES:=/etc/nginx/mime.types}"
: "${NGINX_ACCESS_LOG:=/dev/stdout}"
: "${HTTP_PORT:=80}"
: "${HTTPS_PORT:=443}"
: "${WEB_UPSTREAM:=web:8000}"
: "${SOCKET_UPSTREAM:=socket:8001}"
: "${STATIC_ROOT:=/app/staticfiles}"
: "${TLS_CERT:=/etc/fraudgov/tls/cert.pem}"
: "${TLS_KEY:=/etc/fraudgov/tls/key.pem}"
: "${TLS_CN:=localhost}"
export NGINX_USER NGINX_WORKERS NGINX_RUN_DIR NGINX_MIME_TYPES NGINX_ACCESS_LOG HTTP_PORT HTTPS_PORT \
  WEB_UPSTREAM SOCKET_UPSTREAM STATIC_ROOT TLS_CERT TLS_KEY

here="$(cd "$(dirname "$0")" && pwd)"
mkdir -p "$NGINX_RUN_DIR"

if [ ! -s "$TLS_CERT" ] || [ ! -s "$TLS_KEY" ]; then
  echo "[nginx] no certificate at $TLS_CERT: making a self-signed one for $TLS_CN" >&2
  mkdir -p "$(dirname "$TLS_CERT")" "$(dirname "$TLS_KEY")"
  openssl req -x509 -newkey rsa:2048 -nodes -days 825 -subj "/CN=$TLS_CN" \
    -addext "subjectAltName=DNS:$TLS_CN,DNS:localhost,IP:127.0.0.1" \
    -keyout "$TLS_KEY" -out "$TLS_CERT" 2>/dev/null
  chmod 600 "$TLS_KEY"
fi

# Only these names are replaced: nginx's own $variables stay as they are.
envsubst '${NGINX_USER} ${NGINX_WORKERS} ${NGINX_RUN_DIR} ${NGINX_MIME_TYPES} ${NGINX_ACCESS_LOG} ${HTTP_PORT} ${HTTPS_PORT} ${WEB_UPSTREAM} ${SOCKET_UPSTREAM} ${STATIC_ROOT} ${TLS_CERT} ${TLS_KEY}' \
  < "$here/nginx.conf.template" > "$NGINX_RUN_DIR/nginx.conf"
nginx -t -q -c "$NGINX_RUN_DIR/nginx.conf"
exec nginx -c "$NGINX_RUN_DIR/nginx.conf" -g "daemon off;"
