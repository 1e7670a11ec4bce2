import type { JSONSchemaType } from 'ajv';
import { CHAOS_MESH_SCHEMAS } from './chaos-mesh';
import { K6_OPERATOR_SCHEMAS } from './k6-operator';
import { map, metadata, object, resources, string } from './strict';

/**
 * Strict schemas of the custom resources we render, for kinds whose models are not on npm. Each
 * covers the fields we use and refuses every other one (`additionalProperties: false` on every
 * object; `assertStrict` checks that). To use a new field, add it here with its type from the
 * operator's CRD. Keyed by `apiVersion/kind`.
 */
export type StrictSchema = JSONSchemaType<unknown> | Record<string, unknown>;

/** CloudNativePG 1.27: postgresql.cnpg.io/v1 (https://cloudnative-pg.io/documentation/1.27/cloudnative-pg.v1/). */
const cnpgCluster = object(
  {
    apiVersion: { const: 'postgresql.cnpg.io/v1' },
    kind: { const: 'Cluster' },
    metadata,
    spec: object(
      {
        instances: { type: 'integer', minimum: 1 },
        imageName: string,
        primaryUpdateStrategy: { enum: ['unsupervised', 'supervised'] },
        enablePDB: { type: 'boolean' },
        storage: object({ size: string, storageClass: string }, ['size']),
        resources,
        affinity: object({
          enablePodAntiAffinity: { type: 'boolean' },
          topologyKey: string,
          podAntiAffinityType: { enum: ['preferred', 'required'] },
        }),
        postgresql: object({ parameters: map({ type: 'string' }) }),
        inheritedMetadata: object({ labels: map({ type: 'string' }), annotations: map({ type: 'string' }) }),
        bootstrap: object({ initdb: object({ database: string, owner: string }, ['database', 'owner']) }),
      },
      ['instances', 'imageName', 'storage', 'bootstrap'],
    ),
  },
  ['apiVersion', 'kind', 'metadata', 'spec'],
);

export const CRD_SCHEMAS: Readonly<Record<string, StrictSchema>> = {
  'postgresql.cnpg.io/v1/Cluster': cnpgCluster,
  ...CHAOS_MESH_SCHEMAS,
  ...K6_OPERATOR_SCHEMAS,
};

/** Throws when a schema has an object that would accept unknown fields. */
export function assertStrict(schema: unknown, path = '#'): void {
  if (schema === null || typeof schema !== 'object') return;
  const node = schema as Record<string, unknown>;
  if (node.type === 'object' && node.properties !== undefined && node.additionalProperties !== false) {
    throw new Error(`${path}: an object schema with properties must set additionalProperties: false`);
  }
  for (const [key, value] of Object.entries(node)) {
    if (Array.isArray(value)) value.forEach((item, index) => assertStrict(item, `${path}/${key}/${index}`));
    else assertStrict(value, `${path}/${key}`);
  }
}
