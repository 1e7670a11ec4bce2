import {
  containerSecurityContext,
  env,
  envFrom,
  imagePullPolicy,
  integer,
  map,
  metadata,
  object,
  oneOf,
  podSecurityContext,
  resources,
  string,
  volumeMounts,
  volumes,
} from './strict';

/**
 * k6-operator 1.x TestRun (k6.io/v1alpha1), the fields loadtests/k8s uses
 * (https://github.com/grafana/k6-operator/blob/main/api/v1alpha1/testrun_types.go).
 */
const pod = object({
  image: string,
  imagePullPolicy,
  metadata: object({ labels: map({ type: 'string' }), annotations: map({ type: 'string' }) }),
  env,
  envFrom,
  resources,
  serviceAccountName: string,
  securityContext: podSecurityContext,
  containerSecurityContext,
  volumes,
  volumeMounts,
});

const testRun = object(
  {
    apiVersion: { const: 'k6.io/v1alpha1' },
    kind: { const: 'TestRun' },
    metadata,
    spec: object(
      {
        parallelism: integer(1),
        script: object(
          {
            configMap: object({ name: string, file: string }, ['name']),
            volumeClaim: object({ name: string, file: string, readOnly: { type: 'boolean' } }, ['name']),
            localFile: string,
          },
          [],
        ),
        separate: { type: 'boolean' },
        arguments: { type: 'string' },
        cleanup: oneOf('post'),
        initializer: pod,
        starter: pod,
        runner: pod,
      },
      ['parallelism', 'script'],
    ),
  },
  ['apiVersion', 'kind', 'metadata', 'spec'],
);

export const K6_OPERATOR_SCHEMAS = { 'k6.io/v1alpha1/TestRun': testRun };
