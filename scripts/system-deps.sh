#!/usr/bin/env bash
# Debian packages Ancrage needs beyond Python: gettext (compiles translations), chromium
# (browser tests) and pango (WeasyPrint's text layout, for PDF documents). Installed when missing and we may use apt-get; otherwise say what is missing.
set -u
missing=()
command -v msgfmt >/dev/null 2>&1 || missing+=(gettext)
[ -x /usr/bin/chromium ] || missing+=(chromium)
ldconfig -p 2>/dev/null | grep -q 'libpango-1.0.so.0' || missing+=(libpango-1.0-0 libpangoft2-1.0-0)
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
  apt_get=(apt-get)
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  apt_get=(sudo -n apt-get)
else
  echo "system-deps: please install these Debian packages: ${missing[*]}" >&2
  exit 0
fi
echo "system-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${apt_get[@]}" install -y -q --no-install-recommends "${missing[@]}" >/dev/null \
  || { "${apt_get[@]}" update -q >/dev/null && "${apt_get[@]}" install -y -q --no-install-recommends "${missing[@]}" >/dev/null; } \
  || echo "system-deps: could not install ${missing[*]}" >&2
exit 0
