#!/usr/bin/env bash
# Installs the Node.js pinned in .node-version into .cache/node/<version>-<os>-<arch>/ and prints its bin directory:
#
#   export PATH="$(scripts/setup-node.sh):$PATH"
#
# The binary comes from the npm registry: `node-<os>-<arch>@<version>` is the official Node.js build that the
# `node` package installs, and `npm pack` checks it against the registry's integrity hash. So it needs only npm
# (whatever Node runs it) and tar, and reaches nothing but the npm registry. Safe to repeat and to run
# concurrently: once installed, a run only checks `node -v` (well under a second); an install is unpacked into a
# temporary directory and renamed into place, so a half-unpacked Node is never used.
set -euo pipefail

fail() {
  echo "setup-node: $*" >&2
  exit 1
}

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
[[ -r "$root/.node-version" ]] || fail "$root/.node-version is missing"
version=$(tr -d '[:space:]' <"$root/.node-version")
version=${version#v}
[[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || fail ".node-version must hold one exact version like 24.22.3, not '$version'"

case "$(uname -s)" in
  Linux) os=linux ;;
  Darwin) os=darwin ;;
  *) fail "no Node build for $(uname -s) on the npm registry; install Node $version yourself" ;;
esac
case "$(uname -m)" in
  x86_64 | amd64) arch=x64 ;;
  aarch64 | arm64) arch=arm64 ;;
  *) fail "no Node build for $(uname -m) on the npm registry; install Node $version yourself" ;;
esac

cache="$root/.cache/node"
dir="$cache/$version-$os-$arch"
is_installed() { [[ "$("$dir/bin/node" -v 2>/dev/null)" == "v$version" ]]; }

if ! is_installed; then
  command -v npm >/dev/null || fail "npm is needed to fetch Node $version from the npm registry"
  mkdir -p "$cache"
  tmp=$(mktemp -d "$cache/.install.XXXXXX")
  trap 'rm -rf "$tmp"' EXIT
  package="node-$os-$arch@$version"
  echo "setup-node: fetching $package from the npm registry into .cache/node/ (once, ~50 MB)" >&2
  (cd "$tmp" && npm pack --silent --no-audit --no-fund "$package" >/dev/null) || fail "npm could not fetch $package"
  tar -xzf "$tmp"/node-*.tgz -C "$tmp"
  got=$("$tmp/package/bin/node" -v 2>/dev/null) || fail "the node in $package does not run on this machine"
  [[ "$got" == "v$version" ]] || fail "$package holds node $got, not v$version"
  # Another run may have finished first; a broken leftover (an interrupted older layout) is replaced.
  if ! is_installed; then
    rm -rf "$dir"
    mv "$tmp/package" "$dir" 2>/dev/null || is_installed || fail "could not move Node into $dir"
  fi
  echo "setup-node: Node v$version installed in ${dir#"$root"/}" >&2
fi
echo "$dir/bin"
