import { array, container, duration, integer, map, metadata, object, oneOf, string, strings } from './strict';

/**
 * Chaos Mesh 2.8 (chaos-mesh.org/v1alpha1), the fields components/chaos uses, with the enums and
 * required fields of its CRDs (https://github.com/chaos-mesh/chaos-mesh/tree/master/config/crd/bases)
 * and the Workflow templates of https://chaos-mesh.org/docs/create-chaos-mesh-workflow/. The CRDs
 * type `duration` as any string and leave it to the webhook; here it must parse as a Go duration.
 */
const percent = { type: 'string', pattern: '^[0-9]+(\\.[0-9]+)?$' };
const mode = oneOf('one', 'all', 'fixed', 'fixed-percent', 'random-max-percent');
const selector = object({
  namespaces: strings,
  labelSelectors: map({ type: 'string' }),
  expressionSelectors: array(
    object({ key: string, operator: oneOf('In', 'NotIn', 'Exists', 'DoesNotExist'), values: strings }, ['key', 'operator']),
  ),
  annotationSelectors: map({ type: 'string' }),
});
const selected = { mode, value: string, selector };

const podChaosSpec = object(
  { action: oneOf('pod-kill', 'pod-failure', 'container-kill'), ...selected, duration, gracePeriod: integer(0), containerNames: strings },
  ['action', 'mode', 'selector'],
);
const networkChaosSpec = object(
  {
    action: oneOf('netem', 'delay', 'loss', 'duplicate', 'corrupt', 'partition', 'bandwidth'),
    ...selected,
    duration,
    direction: oneOf('to', 'from', 'both'),
    target: object(selected, ['mode', 'selector']),
    externalTargets: strings,
    delay: object({ latency: duration, jitter: duration, correlation: percent }, ['latency']),
    loss: object({ loss: percent, correlation: percent }, ['loss']),
  },
  ['action', 'mode', 'selector'],
);
const stressChaosSpec = object(
  {
    ...selected,
    duration,
    containerNames: strings,
    stressors: object({
      cpu: object({ workers: integer(1), load: integer(0, 100) }, ['workers']),
      memory: object({ workers: integer(1), size: string }, ['workers']),
    }),
  },
  ['mode', 'selector', 'stressors'],
);

/** The chaos kinds a Workflow template or a Schedule may embed, by the field that holds the spec. */
const EMBEDDABLE = {
  PodChaos: ['podChaos', podChaosSpec],
  NetworkChaos: ['networkChaos', networkChaosSpec],
  StressChaos: ['stressChaos', stressChaosSpec],
} as const;
const embedded = Object.fromEntries(Object.values(EMBEDDABLE));
/** `then` of an if/then: these fields are required (ajv's strict mode wants them declared where required). */
const needs = (...fields: string[]) => ({ properties: Object.fromEntries(fields.map((field) => [field, true])), required: fields });
/** A template or Schedule of type T carries the spec of T. */
const carriesItsSpec = (typeField: string) =>
  Object.entries(EMBEDDABLE).map(([kind, [field]]) => ({ if: { properties: { [typeField]: { const: kind } } }, then: needs(field) }));

const statusCheckSpec = object(
  {
    mode: oneOf('Synchronous', 'Continuous'),
    type: oneOf('HTTP'),
    duration,
    timeoutSeconds: integer(1),
    intervalSeconds: integer(1),
    failureThreshold: integer(1),
    successThreshold: integer(1),
    recordsHistoryLimit: integer(1, 1000),
    http: object(
      {
        url: { type: 'string', pattern: '^https?://' },
        method: oneOf('GET', 'POST'),
        headers: map(strings),
        body: { type: 'string' },
        criteria: object({ statusCode: { type: 'string', pattern: '^[1-5][0-9]{2}(-[1-5][0-9]{2})?$' } }, ['statusCode']),
      },
      ['url', 'criteria'],
    ),
  },
  ['mode', 'type', 'http'],
);

const dnsLabel = { type: 'string', pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$', maxLength: 63 };
const template = {
  ...object(
    {
      name: dnsLabel,
      templateType: oneOf('Serial', 'Parallel', 'Task', 'Suspend', 'StatusCheck', ...Object.keys(EMBEDDABLE)),
      deadline: duration,
      children: array(dnsLabel, 1),
      task: object({ container }, ['container']),
      conditionalBranches: array(object({ target: dnsLabel, expression: string }, ['target'])),
      statusCheck: statusCheckSpec,
      abortWithStatusCheck: { type: 'boolean' },
      ...embedded,
    },
    ['name', 'templateType'],
  ),
  allOf: [
    ...carriesItsSpec('templateType'),
    { if: { properties: { templateType: { enum: ['Serial', 'Parallel'] } } }, then: needs('children') },
    { if: { properties: { templateType: { const: 'Task' } } }, then: needs('task') },
    { if: { properties: { templateType: { const: 'StatusCheck' } } }, then: needs('statusCheck') },
    { if: { properties: { templateType: { const: 'Suspend' } } }, then: needs('deadline') },
  ],
};
const workflowSpec = object({ entry: dnsLabel, templates: array(template, 1) }, ['entry', 'templates']);

const scheduleSpec = {
  ...object(
    {
      schedule: { type: 'string', pattern: '^(@(yearly|annually|monthly|weekly|daily|midnight|hourly)|@every .+|(\\S+\\s+){4}\\S+)$' },
      type: oneOf('Workflow', ...Object.keys(EMBEDDABLE)),
      concurrencyPolicy: oneOf('Forbid', 'Allow'),
      startingDeadlineSeconds: integer(1),
      historyLimit: integer(1),
      workflow: workflowSpec,
      ...embedded,
    },
    ['schedule', 'type'],
  ),
  allOf: [...carriesItsSpec('type'), { if: { properties: { type: { const: 'Workflow' } } }, then: needs('workflow') }],
};

const kind = (name: string, spec: unknown) =>
  object({ apiVersion: { const: 'chaos-mesh.org/v1alpha1' }, kind: { const: name }, metadata, spec }, [
    'apiVersion',
    'kind',
    'metadata',
    'spec',
  ]);

export const CHAOS_MESH_SCHEMAS = {
  'chaos-mesh.org/v1alpha1/PodChaos': kind('PodChaos', podChaosSpec),
  'chaos-mesh.org/v1alpha1/NetworkChaos': kind('NetworkChaos', networkChaosSpec),
  'chaos-mesh.org/v1alpha1/StressChaos': kind('StressChaos', stressChaosSpec),
  'chaos-mesh.org/v1alpha1/Workflow': kind('Workflow', workflowSpec),
  'chaos-mesh.org/v1alpha1/Schedule': kind('Schedule', scheduleSpec),
};

/** The chaos kinds that inject a fault themselves (as opposed to Workflow and Schedule, which run them). */
export const CHAOS_FAULT_KINDS: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(EMBEDDABLE).map(([name, [field]]) => [`chaos-mesh.org/v1alpha1/${name}`, field]),
);
