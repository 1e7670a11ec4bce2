import type { PolicyProfile } from './policies';
import type { Combination } from './render';

/**
 * Every way the manifests are meant to be deployed; `npm test` renders and checks each one, and
 * deploy/README.md lists them. Add a line here when an overlay or a component is added.
 */
export const COMBINATIONS: readonly (Combination & { readonly profile: PolicyProfile })[] = [
  { name: 'kind', overlay: 'overlays/kind', profile: 'development' },
  { name: 'kind + observability', overlay: 'overlays/kind', components: ['components/observability'], profile: 'development' },
  { name: 'kind + chaos', overlay: 'overlays/kind', components: ['components/chaos'], profile: 'development' },
  { name: 'production', overlay: 'overlays/production', profile: 'production' },
  { name: 'production + chaos', overlay: 'overlays/production', components: ['components/chaos'], profile: 'production' },
  // What Argo CD deploys (gitops/manifests/<environment>): the overlay plus the mesh and canaries.
  { name: 'gitops kind: kind + observability + istio', overlay: '../../gitops/manifests/kind', profile: 'development' },
  { name: 'gitops production: production + istio', overlay: '../../gitops/manifests/production', profile: 'production' },
];
