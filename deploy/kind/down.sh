#!/usr/bin/env bash
# Deletes the kind cluster of deploy/kind/up.sh, and everything in it.
#   deploy/kind/down.sh [--dry-run]
set -euo pipefail
CLUSTER=${KIND_CLUSTER_NAME:-storefront}
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
if [[ ${1:-} == --dry-run ]]; then
  printf '  %s\n' "kind delete cluster --name $CLUSTER" "rm -rf $REPO/deploy/kind/.release"
  exit 0
fi
kind delete cluster --name "$CLUSTER"
rm -rf "$REPO/deploy/kind/.release"
