#!/bin/sh
# Prints the path of a Chromium for the browser test (driven by playwright-core), installing
# Debian's `chromium` package first when none is there: CI machines start fresh. Installing needs
# root and apt-get; elsewhere it says what to do. CHROMIUM_PATH overrides the search.
set -eu

find_chromium() {
  for candidate in "${CHROMIUM_PATH:-}" chromium chromium-browser google-chrome; do
    [ -n "$candidate" ] || continue
    if path=$(command -v "$candidate" 2>/dev/null); then
      echo "$path"
      return 0
    fi
  done
  return 1
}

if find_chromium; then exit 0; fi

if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "Chromium is not installed. Install Debian's package (sudo apt-get install -y chromium) or set CHROMIUM_PATH." >&2
  exit 1
fi

echo "Installing Debian's chromium for the browser test (once per machine, a few minutes)..." >&2
# Parallel test files may get here together; one installs, the others wait and then find it.
exec 9>/tmp/tributary-ensure-chromium.lock
flock 9
if ! find_chromium >/dev/null; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq --no-install-recommends chromium >&2
fi
find_chromium
