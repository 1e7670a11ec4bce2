#!/usr/bin/env bash
# Places an order through the kind cluster's gateway and waits until its saga confirms it.
#   deploy/kind/smoke.sh [gateway-url]        (default http://localhost:8080)
set -euo pipefail
GATEWAY=${1:-http://localhost:8080}
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
json() { node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const v=JSON.parse(s);console.log(eval(process.argv[1]))})' "$1"; }
say() { printf '\033[36m[smoke]\033[0m %s\n' "$*"; }

# A token from the dev issuer whose public keys up.sh gave the cluster.
TOKEN=$(cd "$REPO" && pnpm -s stack token kind-smoke)
AUTH="authorization: Bearer $TOKEN"

PRODUCT=$(curl -sf "$GATEWAY/api/products?limit=1" | json 'v.items[0].id')
say "product $PRODUCT"
# Stock reaches the catalog's read model through inventory's events: wait for it.
for _ in $(seq 1 60); do
  AVAILABILITY=$(curl -sf "$GATEWAY/api/products/$PRODUCT" | json 'v.availability.status')
  [[ $AVAILABILITY == in_stock ]] && break
  sleep 2
done
say "availability $AVAILABILITY"

ADDRESS='{"name":"Kind Smoke","line1":"1 Cluster Way","city":"Berlin","postalCode":"10115","country":"DE"}'
ORDER=$(curl -sf -X POST "$GATEWAY/api/orders" -H "$AUTH" -H 'content-type: application/json' -H "Idempotency-Key: kind-smoke-$(date +%s)" \
  -d "{\"paymentToken\":\"tok_visa\",\"lines\":[{\"productId\":\"$PRODUCT\",\"quantity\":1}],\"shippingAddress\":$ADDRESS}" | json 'v.id')
say "order $ORDER placed"
for _ in $(seq 1 90); do
  STATUS=$(curl -sf -H "$AUTH" "$GATEWAY/api/orders/$ORDER" | json 'v.status')
  case "$STATUS" in
    confirmed) say "order $ORDER confirmed"; exit 0 ;;
    cancelled | rejected) say "order $ORDER ended $STATUS"; curl -s -H "$AUTH" "$GATEWAY/api/orders/$ORDER"; echo; exit 1 ;;
  esac
  sleep 2
done
say "order $ORDER still $STATUS after 3 minutes"
exit 1
