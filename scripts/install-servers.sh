#!/usr/bin/env bash
# Installs the web servers the generated-config tests run for real (nginx, Apache, Caddy),
# the other programs tests run for real (systemd-analyze, fish, zsh, groff, mandoc),
# Prometheus' node_exporter and promtool for the monitoring-output tests, and a decimal-comma
# locale (de_DE.UTF-8).
# As root with apt: installs what is missing. Otherwise: says so; those tests then skip
# loudly (and fail under CI, where they must run).
set -u
missing=()
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx)
command -v apache2 >/dev/null 2>&1 || [ -x /usr/sbin/apache2 ] || missing+=(apache2)
command -v caddy >/dev/null 2>&1 || missing+=(caddy)
# The units `schedule` writes are checked by systemd-analyze; the completion scripts are
# loaded into a real bash, fish and zsh; the man page is checked by groff and mandoc.
command -v systemd-analyze >/dev/null 2>&1 || missing+=(systemd)
command -v flock >/dev/null 2>&1 || missing+=(util-linux)
command -v fish >/dev/null 2>&1 || missing+=(fish)
command -v zsh >/dev/null 2>&1 || missing+=(zsh)
command -v groff >/dev/null 2>&1 || missing+=(groff)
command -v man >/dev/null 2>&1 || missing+=(man-db)
command -v mandoc >/dev/null 2>&1 || missing+=(mandoc)
command -v prometheus-node-exporter >/dev/null 2>&1 || missing+=(prometheus-node-exporter)
command -v promtool >/dev/null 2>&1 || missing+=(prometheus)
# A locale whose decimal separator is a comma: Nagios' performance data must keep a point
# whatever the locale, and a test proves it under de_DE.UTF-8.
if ! locale -a 2>/dev/null | grep -qiE '^de_DE\.utf-?8$'; then
  [ -f /usr/share/i18n/locales/de_DE ] || missing+=(locales)
  need_locale=1
fi
if [ ${#missing[@]} -eq 0 ]; then
  :
elif [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing ${missing[*]} for the tests that run them"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # The packages start system services (on :80, :9100, :9090); the tests run their own.
  for service in nginx apache2 caddy prometheus-node-exporter prometheus; do
    command -v systemctl >/dev/null 2>&1 && systemctl stop "$service" >/dev/null 2>&1 || true
  done
else
  echo "NOTE: ${missing[*]} not installed (needs root and apt); their tests will be skipped"
fi
if [ -n "${need_locale:-}" ] && [ "$(id -u)" -eq 0 ]; then
  echo "generating the de_DE.UTF-8 locale for the test that needs a decimal comma"
  localedef -i de_DE -f UTF-8 de_DE.UTF-8 >/dev/null 2>&1 || echo "NOTE: could not generate de_DE.UTF-8"
fi
exit 0
