#!/usr/bin/env bash
# Brings Storefront up on a local kind cluster, or brings the running one up to date: run it again
# after any change. Every step is a function named in STEPS; add a step by writing its function and
# naming it there.
#
#   deploy/kind/up.sh [--dry-run] [--with-observability] [--with-chaos] [--gitops]
#
#   --dry-run             print the commands in order, run none
#   --render-only         write and render the release layer (deploy/kind/.release), touch no cluster
#   --with-observability  also deploy components/observability (Jaeger, Loki, Prometheus, Grafana)
#   --with-chaos          also install Chaos Mesh and components/chaos (experiments, invariant checker)
#   --gitops              install Argo CD and let it deploy gitops/environments/kind from your fork
#                         (GITOPS_REPO_URL, default: the origin remote; GITOPS_REVISION, default:
#                         this branch): Istio, Argo Rollouts, the observability stack, canaries
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CLUSTER=${KIND_CLUSTER_NAME:-storefront}
NAMESPACE=storefront
# The operator version gitops/platform pins (Argo CD installs the same manifest with --gitops).
CNPG_VERSION=$(sed -n 's/^ *targetRevision: v//p' "$REPO/gitops/platform/cloudnative-pg.yaml")
CNPG_MANIFEST=https://raw.githubusercontent.com/cloudnative-pg/cloudnative-pg/release-${CNPG_VERSION%.*}/releases/cnpg-${CNPG_VERSION}.yaml
# Chaos Mesh's chart; its daemon must use kind's runtime, containerd (the chart defaults to docker).
CHAOS_MESH_VERSION=2.8.3
CHAOS_MESH_CHART_REPO=https://charts.chaos-mesh.org
# Deployments named after their image; IMAGES gains the invariant checker with --with-chaos. The
# services are the folders libs/devstack and deploy/images find: each services/<name> whose
# package.json has a "storefront" block, then the gateway.
SERVICES=()
for manifest in "$REPO"/services/*/package.json; do
  if grep -q '"storefront"' "$manifest"; then SERVICES+=("$(basename "$(dirname "$manifest")")"); fi
done
SERVICES+=(gateway)
IMAGES=("${SERVICES[@]}")
ARGOCD_VERSION=v3.3.14
ARGOCD_MANIFEST=https://raw.githubusercontent.com/argoproj/argo-cd/${ARGOCD_VERSION}/manifests/install.yaml
# What only exists at deploy time: this commit's image tag and the dev issuer's public keys. A
# folder directly in deploy/kind (the paths in it are relative); KIND_RELEASE_DIR names another.
RELEASE_DIR="$REPO/deploy/kind/${KIND_RELEASE_DIR:-.release}"
RENDERED="$RELEASE_DIR/rendered.yaml"

DRY_RUN=0
RENDER_ONLY=0
GITOPS=0
COMPONENTS=()
WITH_CHAOS=0
for arg in "$@"; do
  case "$arg" in
    --dry-run) DRY_RUN=1 ;;
    --render-only) RENDER_ONLY=1 ;;
    --with-observability) COMPONENTS+=(observability) ;;
    --with-chaos) COMPONENTS+=(chaos); WITH_CHAOS=1; IMAGES+=(invariants) ;;
    --gitops) GITOPS=1 ;;
    -h | --help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "up.sh: unknown option $arg (see --help)" >&2; exit 2 ;;
  esac
done

STEPS=(
  check_tools
  create_cluster
  install_cloudnative_pg
  install_chaos_mesh
  build_images
  load_images
  write_release
  apply_infrastructure
  run_migrations
  apply_workloads
  wait_until_ready
  print_next_steps
)
# With --gitops, Argo CD deploys everything after the images, in the sync waves of gitops/.
GITOPS_STEPS=(
  check_tools
  create_cluster
  build_images
  load_images
  add_dev_keys
  install_argocd
  register_root_app
  install_istio
  install_argo_rollouts
  install_cloudnative_pg_by_argocd
  install_prometheus
  wait_until_synced
  print_gitops_next_steps
)

say() { printf '\033[36m[kind]\033[0m %s\n' "$*"; }

# Runs a command, or with --dry-run prints it.
run() {
  if ((DRY_RUN)); then
    printf '  %s\n' "$*"
  else
    "$@"
  fi
}

image_tag() {
  # The same tag `pnpm images` gives: the commit's short sha, -dirty with uncommitted changes.
  local sha
  sha=$(git -C "$REPO" rev-parse --short HEAD)
  if [[ -n $(git -C "$REPO" status --porcelain --untracked-files=no) ]]; then sha="$sha-dirty"; fi
  printf '%s' "$sha"
}

check_tools() {
  local missing=()
  local tools=(kind kubectl docker pnpm git)
  if ((WITH_CHAOS)); then tools+=(helm); fi
  for tool in "${tools[@]}"; do
    command -v "$tool" >/dev/null || missing+=("$tool")
  done
  if ((${#missing[@]})) && ! ((DRY_RUN)); then
    echo "up.sh: missing ${missing[*]} (kind: https://kind.sigs.k8s.io, kubectl: https://kubernetes.io/docs/tasks/tools/, helm: https://helm.sh/docs/intro/install/)" >&2
    exit 1
  fi
  run pnpm install --frozen-lockfile
  run pnpm run build
}

create_cluster() {
  if ! ((DRY_RUN)) && kind get clusters 2>/dev/null | grep -qx "$CLUSTER"; then
    say "cluster $CLUSTER exists"
  else
    run kind create cluster --name "$CLUSTER" --config "$REPO/deploy/kind/cluster.yaml" --wait 120s
  fi
  run kubectl config use-context "kind-$CLUSTER"
}

install_cloudnative_pg() {
  run kubectl apply --server-side --force-conflicts -f "$CNPG_MANIFEST"
  run kubectl -n cnpg-system rollout status deployment/cnpg-controller-manager --timeout=300s
}

# Only namespaces annotated chaos-mesh.org/inject=enabled (components/chaos does it for storefront)
# can be hurt; no dashboard (experiments are files here).
install_chaos_mesh() {
  if ! ((WITH_CHAOS)); then return; fi
  run helm upgrade --install chaos-mesh chaos-mesh --repo "$CHAOS_MESH_CHART_REPO" --version "$CHAOS_MESH_VERSION" \
    --namespace chaos-mesh --create-namespace \
    --set chaosDaemon.runtime=containerd \
    --set chaosDaemon.socketPath=/run/containerd/containerd.sock \
    --set controllerManager.enableFilterNamespace=true \
    --set controllerManager.replicaCount=1 \
    --set dashboard.create=false \
    --wait --timeout 10m
}

build_images() {
  run env IMAGE_TAG="$TAG" pnpm images "${IMAGES[@]}"
}

load_images() {
  for image in "${IMAGES[@]}"; do
    run kind load docker-image "storefront/$image:$TAG" --name "$CLUSTER"
  done
}

write_release() {
  local secrets=auth-jwks
  if ((WITH_CHAOS)); then secrets+=", invariants-admin-token"; fi
  run mkdir -p "$RELEASE_DIR"
  # The key pair `npm run token` signs with (.stack/dev-auth.json, made on first use): the cluster
  # trusts its public half. The private half never leaves this machine.
  if ((DRY_RUN)); then
    printf '  %s\n' "pnpm -s stack jwks > $RELEASE_DIR/jwks.json"
  else
    pnpm -s stack jwks >"$RELEASE_DIR/jwks.json"
  fi
  if ((WITH_CHAOS)); then
    # The invariant checker reads the gateway as an admin: a token of the same dev issuer, for 30
    # days (run up.sh again to renew it; the weekly game day needs it that long).
    if ((DRY_RUN)); then
      printf '  %s\n' "pnpm -s stack token invariant-checker --admin --ttl 2592000 > $RELEASE_DIR/admin-token"
    else
      pnpm -s stack token invariant-checker --admin --ttl 2592000 >"$RELEASE_DIR/admin-token"
    fi
  fi
  if ((DRY_RUN)); then
    printf '  %s\n' "write $RELEASE_DIR/kustomization.yaml (overlays/kind${COMPONENTS[*]:+ + ${COMPONENTS[*]}}, images at $TAG, Secrets: $secrets)"
  else
    release_kustomization >"$RELEASE_DIR/kustomization.yaml"
  fi
  if ((DRY_RUN)); then
    printf '  %s\n' "kubectl kustomize $RELEASE_DIR > $RENDERED"
  else
    kubectl kustomize "$RELEASE_DIR" >"$RENDERED"
  fi
}

# The kind overlay, plus what only exists at deploy time. Kustomize takes relative paths only.
release_kustomization() {
  printf 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n'
  printf 'resources: [../../k8s/overlays/kind]\n'
  if ((${#COMPONENTS[@]})); then
    printf 'components:\n'
    printf '  - ../../k8s/components/%s\n' "${COMPONENTS[@]}"
  fi
  printf 'images:\n'
  for image in "${IMAGES[@]}"; do
    printf '  - {name: storefront/%s, newTag: "%s"}\n' "$image" "$TAG"
  done
  printf 'secretGenerator:\n  - name: auth-jwks\n    namespace: %s\n    files: [jwks=jwks.json]\n' "$NAMESPACE"
  printf '    options: {disableNameSuffixHash: true, labels: {app.kubernetes.io/name: auth-jwks, app.kubernetes.io/part-of: storefront}}\n'
  if ((WITH_CHAOS)); then
    printf '  - name: invariants-admin-token\n    namespace: %s\n    files: [token=admin-token]\n' "$NAMESPACE"
    printf '    options: {disableNameSuffixHash: true, labels: {app.kubernetes.io/name: invariants, app.kubernetes.io/part-of: storefront, app.kubernetes.io/component: chaos}}\n'
  fi
  # The version labels follow the tag (as base/workload/kustomization.yaml does for the default).
  printf 'replacements:\n'
  for image in "${SERVICES[@]}"; do
    printf '  - source: {kind: Deployment, name: %s, fieldPath: "spec.template.spec.containers.[name=app].image", options: {delimiter: ":", index: 1}}\n' "$image"
    printf '    targets:\n      - select: {kind: Deployment, name: %s}\n' "$image"
    printf '        fieldPaths: [metadata.labels.version, "metadata.labels.[app.kubernetes.io/version]", spec.template.metadata.labels.version, "spec.template.metadata.labels.[app.kubernetes.io/version]"]\n'
  done
}

apply_infrastructure() {
  # Everything but the services, their migrations and the seed: namespaces, policies, NATS, PostgreSQL.
  # Experiments and the invariant check are never applied here: each runs when someone starts it.
  run kubectl apply --server-side -f "$RENDERED" -l 'app.kubernetes.io/component notin (service,gateway,migration,seed,chaos-experiment,invariant-check)'
  run kubectl -n "$NAMESPACE" rollout status statefulset/nats --timeout=300s
  run kubectl -n "$NAMESPACE" wait clusters.postgresql.cnpg.io --all --for=condition=Ready --timeout=600s
}

run_migrations() {
  # As Argo CD's BeforeHookCreation does: a Job's template cannot change, so the last run goes first.
  run kubectl -n "$NAMESPACE" delete job -l app.kubernetes.io/component=migration --ignore-not-found
  run kubectl apply --server-side -f "$RENDERED" -l app.kubernetes.io/component=migration
  run kubectl -n "$NAMESPACE" wait job -l app.kubernetes.io/component=migration --for=condition=Complete --timeout=600s
}

apply_workloads() {
  run kubectl -n "$NAMESPACE" delete job -l app.kubernetes.io/component=seed --ignore-not-found
  run kubectl apply --server-side -f "$RENDERED" -l 'app.kubernetes.io/component in (service,gateway,seed)'
}

wait_until_ready() {
  for image in "${SERVICES[@]}"; do
    run kubectl -n "$NAMESPACE" rollout status "deployment/$image" --timeout=600s
  done
  run kubectl -n "$NAMESPACE" wait job -l app.kubernetes.io/component=seed --for=condition=Complete --timeout=300s
}

print_next_steps() {
  local observability="" chaos=""
  if ((DRY_RUN)); then say "dry run: nothing was run; a real run ends with:"; fi
  if [[ " ${COMPONENTS[*]} " == *" observability "* ]]; then
    observability=$'\n'"  kubectl -n observability port-forward svc/grafana 3000     (Grafana: http://localhost:3000)"
    observability+=$'\n'"  kubectl -n observability port-forward svc/jaeger 16686    (Jaeger:  http://localhost:16686)"
  fi
  if ((WITH_CHAOS)); then
    chaos=$'\n\n'"Chaos Mesh $CHAOS_MESH_VERSION is installed; experiments start when applied (docs/experiments.md):"
    chaos+=$'\n'"  kubectl apply -f $RENDERED -l app.kubernetes.io/name=kill-payment"
    chaos+=$'\n'"  kubectl -n $NAMESPACE delete job invariants --ignore-not-found && kubectl apply -f $RENDERED -l app.kubernetes.io/name=invariants"
    chaos+=$'\n'"  kubectl apply -f $RENDERED -l app.kubernetes.io/name=game-day"
  fi
  cat <<NEXT

Storefront runs on kind cluster "$CLUSTER" (images storefront/*:$TAG).

  Gateway:  http://localhost:8080   (OpenAPI: http://localhost:8080/docs)

Try:
  curl -s 'http://localhost:8080/api/products?limit=5'
  TOKEN=\$(npm run -s token -- alice)
  curl -s -H "authorization: Bearer \$TOKEN" http://localhost:8080/api/orders
  kubectl -n $NAMESPACE get pods${observability}${chaos}

Run deploy/kind/up.sh again after a change; deploy/kind/down.sh deletes the cluster.
NEXT
}

# --- --gitops ---------------------------------------------------------------------------------------

ROOT_APP="$RELEASE_DIR/root-app.yaml"

gitops_image_tag() {
  if command -v kubectl >/dev/null; then
    kubectl kustomize "$REPO/gitops/manifests/kind" | sed -n 's|^ *image: storefront/gateway:\(.*\)$|\1|p' | head -1
  else # a dry run without kubectl: the template's tag
    sed -n 's|^ *image: storefront/workload:\(.*\)$|\1|p' "$REPO/deploy/k8s/base/workload/deployment.yaml"
  fi
}

# A platform Application's pinned version, as gitops/platform names it.
platform_version() {
  sed -n "/name: $1\$/,/targetRevision:/s/^ *targetRevision: *//p" "$REPO"/gitops/platform/*.yaml | head -1
}

repo_url() {
  local url=${GITOPS_REPO_URL:-$(git -C "$REPO" remote get-url origin 2>/dev/null || true)}
  # Argo CD reads public repositories over https.
  url=$(printf '%s' "$url" | sed -E 's|^git@([^:]+):|https://\1/|')
  if [[ -z $url ]]; then
    if ((DRY_RUN || RENDER_ONLY)); then url=https://github.com/your-org/storefront.git; else
      echo "up.sh: --gitops needs a repository Argo CD can read: push to your fork and set GITOPS_REPO_URL (or an origin remote)" >&2
      exit 1
    fi
  fi
  printf '%s' "$url"
}

revision() {
  printf '%s' "${GITOPS_REVISION:-$(git -C "$REPO" rev-parse --abbrev-ref HEAD)}"
}

# The root Application: gitops/environments/kind from your fork, which it also makes every
# Application it generates, and the storefront project, follow (patches of the rendered objects).
write_root_app() {
  local url rev
  url=$(repo_url)
  rev=$(revision)
  run mkdir -p "$RELEASE_DIR"
  if ((DRY_RUN)); then
    printf '  %s\n' "write $ROOT_APP (root Application: $url @ $rev, gitops/environments/kind)"
    return
  fi
  cat >"$ROOT_APP" <<ROOT
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: storefront-kind
  namespace: argocd
  finalizers: [resources-finalizer.argocd.argoproj.io]
spec:
  project: default
  source:
    repoURL: $url
    targetRevision: $rev
    path: gitops/environments/kind
    kustomize:
      patches:
        - target: {kind: ApplicationSet}
          patch: |-
            - {op: replace, path: /spec/template/spec/source/repoURL, value: "$url"}
            - {op: replace, path: /spec/template/spec/source/targetRevision, value: "$rev"}
        - target: {kind: ApplicationSet, name: storefront-services}
          patch: |-
            - {op: replace, path: /spec/generators/0/git/repoURL, value: "$url"}
            - {op: replace, path: /spec/generators/0/git/revision, value: "$rev"}
        - target: {kind: AppProject, name: storefront}
          patch: |-
            - {op: replace, path: /spec/sourceRepos/0, value: "$url"}
  destination: {server: https://kubernetes.default.svc, namespace: argocd}
  syncPolicy:
    automated: {prune: true, selfHeal: true}
    retry: {limit: 10, backoff: {duration: 10s, factor: 2, maxDuration: 5m}}
ROOT
}

# The dev issuer's public keys (as write_release makes them without Argo CD), made before Argo CD
# starts the services; a Secret is never in Git, and Argo CD leaves what it did not deploy alone.
add_dev_keys() {
  run mkdir -p "$RELEASE_DIR"
  if ((DRY_RUN)); then
    printf '  %s
' "pnpm -s stack jwks > $RELEASE_DIR/jwks.json" "kubectl create namespace $NAMESPACE (unless it exists)" \
      "kubectl -n $NAMESPACE create secret generic auth-jwks --from-file=jwks=$RELEASE_DIR/jwks.json (or replace it)"
    return
  fi
  pnpm -s stack jwks >"$RELEASE_DIR/jwks.json"
  kubectl create namespace "$NAMESPACE" --dry-run=client -o yaml | kubectl apply -f -
  kubectl -n "$NAMESPACE" create secret generic auth-jwks --from-file=jwks="$RELEASE_DIR/jwks.json" --dry-run=client -o yaml | kubectl apply -f -
}

install_argocd() {
  say "Argo CD $ARGOCD_VERSION"
  if ((DRY_RUN)); then printf '  %s\n' "kubectl create namespace argocd (unless it exists)"; else
    kubectl create namespace argocd --dry-run=client -o yaml | kubectl apply -f -
  fi
  run kubectl apply -n argocd --server-side --force-conflicts -f "$ARGOCD_MANIFEST"
  # Health of Applications and ApplicationSets, so that sync waves wait (gitops/README.md).
  run kubectl apply --server-side --field-manager=storefront -k "$REPO/gitops/argocd"
  run kubectl -n argocd rollout status deployment/argocd-repo-server --timeout=300s
  run kubectl -n argocd rollout status statefulset/argocd-application-controller --timeout=300s
}

register_root_app() {
  if [[ $(git -C "$REPO" status --porcelain --untracked-files=no) ]]; then say "uncommitted changes are not deployed: Argo CD reads $(revision) from $(repo_url)"; fi
  write_root_app
  run kubectl apply -f "$ROOT_APP"
}

# Waits until Argo CD reports the named Applications healthy (each in its sync wave).
wait_healthy() {
  local apps=()
  for app in "$@"; do apps+=("application/$app"); done
  run kubectl -n argocd wait "${apps[@]}" --for=jsonpath='{.status.health.status}'=Healthy --timeout=900s
}

install_istio() {
  say "Istio $(platform_version istio-base) with its CNI plugin and ingress gateway (gitops/platform/istio.yaml), installed by Argo CD"
  wait_healthy istio-base istiod istio-cni istio-ingress
}

install_argo_rollouts() {
  say "Argo Rollouts $(platform_version argo-rollouts) (gitops/platform/argo-rollouts.yaml), installed by Argo CD"
  wait_healthy argo-rollouts
}

install_cloudnative_pg_by_argocd() {
  say "CloudNativePG $(platform_version cloudnative-pg) (gitops/platform/cloudnative-pg.yaml), installed by Argo CD"
  wait_healthy cloudnative-pg
}

install_prometheus() {
  say "Prometheus, which the canary analysis reads (components/observability), deployed by Argo CD with the data tier"
  wait_healthy data-kind
  run kubectl -n observability rollout status statefulset/prometheus --timeout=600s
}

wait_until_synced() {
  wait_healthy "${SERVICES[@]/%/-kind}" ingress-kind
}

print_gitops_next_steps() {
  if ((DRY_RUN)); then say "dry run: nothing was run; a real run ends with:"; fi
  cat <<NEXT

Argo CD deploys Storefront on kind cluster "$CLUSTER" from $(repo_url) @ $(revision).

  Gateway:    http://localhost:8080   (through the Istio ingress gateway)
  Argo CD UI: kubectl -n argocd port-forward svc/argocd-server 8443:443, then https://localhost:8443
              user admin, password: kubectl -n argocd get secret argocd-initial-admin-secret -o jsonpath='{.data.password}' | base64 -d

Try:
  TOKEN=\$(npm run -s token -- alice)
  curl -s -H "authorization: Bearer \$TOKEN" http://localhost:8080/api/orders
  kubectl -n argocd get applications
  kubectl argo rollouts -n $NAMESPACE get rollout order --watch
  docs/canary-releases.md: ship a bad canary and watch it roll back

Push to $(revision) and Argo CD deploys it; deploy/kind/down.sh deletes the cluster.
NEXT
}

TAG=$(image_tag)
if ((GITOPS)); then
  STEPS=("${GITOPS_STEPS[@]}")
  # Argo CD deploys the tag gitops/manifests/kind names: the local build goes by that tag.
  TAG=$(gitops_image_tag)
fi
if ((RENDER_ONLY)); then
  if ((GITOPS)); then STEPS=(write_root_app); else STEPS=(write_release); fi
fi
for step in "${STEPS[@]}"; do
  say "$step"
  "$step"
done
if ((RENDER_ONLY)); then
  if ((GITOPS)); then say "wrote $ROOT_APP"; else say "rendered $RENDERED"; fi
fi
