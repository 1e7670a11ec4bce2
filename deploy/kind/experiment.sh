#!/usr/bin/env bash
# Runs one Chaos Mesh experiment of components/chaos on the kind cluster (deployed with
# `up.sh --with-chaos`), then the invariant checker Job, and keeps what happened in a report folder.
# Exits 1 if the fault could not be injected, the game day ended at invariants-violated, or an
# invariant is violated.
#
#   deploy/kind/experiment.sh <name> [report-dir]     e.g. kill-payment, payment-link-latency, game-day
#   deploy/kind/experiment.sh check [report-dir]      only the invariant check
#
# report-dir (default .stack/chaos-kind/<name>) gets <name>.yaml (the experiment with its status and
# records), events.txt, and invariants.txt (the checker's table).
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
NAMESPACE=storefront
RENDERED="$REPO/deploy/kind/${KIND_RELEASE_DIR:-.release}/rendered.yaml"
NAME=${1:?usage: deploy/kind/experiment.sh <experiment|check> [report-dir]}
REPORT=${2:-$REPO/.stack/chaos-kind/$NAME}

say() { printf '\033[35m[chaos]\033[0m %s\n' "$*"; }
fail() { printf '\033[31m[chaos]\033[0m %s\n' "$*" >&2; exit 1; }

[[ -f $RENDERED ]] || fail "no $RENDERED: run deploy/kind/up.sh --with-chaos first"
grep -q 'kind: Workflow' "$RENDERED" || fail "$RENDERED has no chaos component: run deploy/kind/up.sh --with-chaos"
mkdir -p "$REPORT"
SELECTOR="app.kubernetes.io/component=chaos-experiment,app.kubernetes.io/name=$NAME"

# Waits until a Job has finished; returns its outcome (Complete or Failed).
job_outcome() {
  local outcome=""
  for _ in $(seq 1 240); do
    outcome=$(kubectl -n "$NAMESPACE" get "job/$1" -o jsonpath='{.status.conditions[?(@.status=="True")].type}')
    case "$outcome" in
      *Failed*) echo Failed; return ;;
      *Complete*) echo Complete; return ;;
    esac
    sleep 5
  done
  echo Failed
}

check_invariants() {
  say "invariant check (Job invariants)"
  kubectl -n "$NAMESPACE" delete job invariants --ignore-not-found --wait=true >/dev/null
  kubectl apply --server-side -f "$RENDERED" -l app.kubernetes.io/component=invariant-check >/dev/null
  local outcome
  outcome=$(job_outcome invariants)
  kubectl -n "$NAMESPACE" logs job/invariants --tail=-1 >"$REPORT/invariants.txt" || true
  cat "$REPORT/invariants.txt"
  [[ $outcome == Complete ]] || fail "invariants violated after $NAME (see $REPORT/invariants.txt)"
  say "every invariant holds after $NAME"
}

run_fault() {
  local resource=$1
  say "waiting for $resource to be injected"
  kubectl -n "$NAMESPACE" wait "$resource" --for=condition=AllInjected --timeout=180s ||
    fail "$resource was not injected (kubectl -n $NAMESPACE describe $resource)"
  say "injected; waiting for it to end and recover"
  kubectl -n "$NAMESPACE" wait "$resource" --for=jsonpath='{.status.experiment.desiredPhase}'=Stop --timeout=900s
  kubectl -n "$NAMESPACE" wait "$resource" --for=condition=AllRecovered --timeout=180s ||
    fail "$resource did not recover (kubectl -n $NAMESPACE describe $resource)"
}

run_workflow() {
  local resource=$1
  say "game day running (kubectl -n $NAMESPACE get workflownode -l chaos-mesh.org/workflow=$NAME)"
  kubectl -n "$NAMESPACE" wait "$resource" --for=condition=Accomplished --timeout=60m
  kubectl -n "$NAMESPACE" get workflownode -l "chaos-mesh.org/workflow=$NAME" >"$REPORT/nodes.txt"
  cat "$REPORT/nodes.txt"
  if grep -q '^invariants-violated' "$REPORT/nodes.txt"; then
    fail "an invariant was violated: the Task pod of the last check-* node says which"
  fi
}

if [[ $NAME != check ]]; then
  # An experiment of the same name from an earlier run goes first (a finished one would not start again).
  kubectl delete -f "$RENDERED" -l "$SELECTOR" --ignore-not-found --wait=true >/dev/null
  resource=$(kubectl apply --server-side -f "$RENDERED" -l "$SELECTOR" -o name)
  [[ -n $resource ]] || fail "no experiment named $NAME in components/chaos"
  say "started $resource"
  if [[ $resource == schedule.* ]]; then say "$NAME runs on its schedule; delete it to stop"; exit 0; fi
  if [[ $resource == workflow.* ]]; then run_workflow "$resource"; else run_fault "$resource"; fi
  kubectl -n "$NAMESPACE" get "$resource" -o yaml >"$REPORT/$NAME.yaml"
  kubectl -n "$NAMESPACE" get events --field-selector "involvedObject.name=$NAME" >"$REPORT/events.txt" || true
  if [[ $resource == workflow.* ]]; then exit 0; fi
fi
check_invariants
