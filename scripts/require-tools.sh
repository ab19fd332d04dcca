#!/usr/bin/env bash
# The tests compare usbscope with Wireshark's tshark (and drive the viewer in Debian's Chromium).
# Install what is missing when we can (root with apt-get); otherwise stop with the exact command.
# A test never skips because a tool is missing.
set -euo pipefail
missing=()
command -v tshark >/dev/null 2>&1 || missing+=(tshark)
command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || missing+=(chromium)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "usbscope tests: installing ${missing[*]} from Debian" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  exit 0
fi
echo "usbscope tests need: ${missing[*]}" >&2
echo "run: sudo apt-get update && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y ${missing[*]}" >&2
exit 1
