import { INVARIANT_IDS, isInvariantId } from '@storefront/invariants';
import type { Manifest } from './manifest';
import type { Rule } from './policies';
import { CHAOS_FAULT_KINDS } from './schemas/chaos-mesh';

/** What every experiment states, as annotations (components/chaos/README.md explains them). */
export const HYPOTHESIS_ANNOTATIONS = [
  'chaos.storefront.dev/hypothesis',
  'chaos.storefront.dev/blast-radius',
  'chaos.storefront.dev/invariants',
] as const;
/** Chaos Mesh (with enableFilterNamespace) touches only namespaces annotated so. */
export const CHAOS_OPT_IN = 'chaos-mesh.org/inject';
/** The annotation naming the invariants an experiment threatens: ids of libs/invariants, comma-separated, or `all`. */
const INVARIANTS_ANNOTATION = 'chaos.storefront.dev/invariants';

interface Selector {
  namespaces?: string[];
  labelSelectors?: Record<string, string>;
  expressionSelectors?: unknown[];
}
interface FaultSpec {
  duration?: string;
  selector?: Selector;
  target?: { selector?: Selector };
}
interface Template {
  name: string;
  templateType: string;
  deadline?: string;
  [field: string]: unknown;
}

const CHAOS_API = 'chaos-mesh.org/v1alpha1';
const spec = (object: Manifest) => (object.spec ?? {}) as Record<string, unknown>;
const fieldOf = (kind: string) => CHAOS_FAULT_KINDS[`${CHAOS_API}/${kind}`];
const isChaos = (object: Manifest) => object.apiVersion === CHAOS_API;

/** The templates of a Workflow, or of the Workflow a Schedule starts. */
function templatesOf(object: Manifest): Template[] {
  if (object.kind === 'Workflow') return (spec(object).templates as Template[] | undefined) ?? [];
  if (object.kind === 'Schedule') return (spec(object).workflow as { templates?: Template[] } | undefined)?.templates ?? [];
  return [];
}

/** Every fault an object injects, standalone or embedded, with where it sits and what bounds it. */
function faultsOf(object: Manifest): { where: string; spec: FaultSpec; bound: string | undefined; bounds: string }[] {
  const own = fieldOf(object.kind);
  if (own) return [{ where: 'spec', spec: spec(object), bound: (spec(object) as FaultSpec).duration, bounds: 'spec.duration' }];
  if (object.kind === 'Schedule') {
    const field = fieldOf(spec(object).type as string);
    const embedded = field ? (spec(object)[field] as FaultSpec | undefined) : undefined;
    if (field && embedded) return [{ where: `spec.${field}`, spec: embedded, bound: embedded.duration, bounds: `spec.${field}.duration` }];
  }
  return templatesOf(object).flatMap((template) => {
    const field = fieldOf(template.templateType);
    const embedded = field ? (template[field] as FaultSpec | undefined) : undefined;
    return field && embedded ? [{ where: `template ${template.name}`, spec: embedded, bound: template.deadline, bounds: 'deadline' }] : [];
  });
}

export const CHAOS_RULES: readonly Rule[] = [
  {
    id: 'chaos-duration',
    description:
      'every fault ends by itself: a chaos object has spec.duration; in a Workflow, each fault, StatusCheck, Task and Suspend template has a deadline',
    check: (context) =>
      context.objects.filter(isChaos).flatMap((object) => [
        ...faultsOf(object)
          .filter((fault) => !fault.bound)
          .map((fault) => ({ object, message: `${fault.where} has no ${fault.bounds}: the fault would last until someone deletes it` })),
        ...templatesOf(object)
          .filter((template) => ['StatusCheck', 'Task', 'Suspend'].includes(template.templateType) && !template.deadline)
          .map((template) => ({ object, message: `template ${template.name} (${template.templateType}) has no deadline` })),
      ]),
  },
  {
    id: 'chaos-scope',
    description: `every chaos selector names its namespaces, each one opted in (${CHAOS_OPT_IN}: enabled), and selects pods by label`,
    check: (context) => {
      const optedIn = new Set(
        context.objects
          .filter((object) => object.kind === 'Namespace' && object.metadata.annotations?.[CHAOS_OPT_IN] === 'enabled')
          .map((object) => object.metadata.name),
      );
      return context.objects.filter(isChaos).flatMap((object) =>
        faultsOf(object).flatMap((fault) =>
          [
            ['selector', fault.spec.selector],
            ['target', fault.spec.target?.selector],
          ]
            .filter(([name, selector]) => name === 'selector' || selector !== undefined)
            .flatMap(([name, value]) => {
              const selector = value as Selector | undefined;
              const problems: string[] = [];
              if (!selector?.namespaces?.length) problems.push("names no namespace (Chaos Mesh would use the experiment's own, silently)");
              for (const namespace of selector?.namespaces ?? []) {
                if (!optedIn.has(namespace))
                  problems.push(`selects in namespace "${namespace}", which does not opt in with ${CHAOS_OPT_IN}: enabled`);
              }
              if (!Object.keys(selector?.labelSelectors ?? {}).length && !(selector?.expressionSelectors ?? []).length) {
                problems.push('selects every pod of its namespaces (no labelSelectors or expressionSelectors)');
              }
              return problems.map((problem) => ({ object, message: `${fault.where}: ${name as string} ${problem}` }));
            }),
        ),
      );
    },
  },
  {
    id: 'chaos-hypothesis',
    description: 'every experiment, Workflow and Schedule states its hypothesis, blast radius and the invariants it checks',
    check: (context) =>
      context.objects
        .filter((object) => isChaos(object) && (fieldOf(object.kind) || ['Workflow', 'Schedule'].includes(object.kind)))
        .flatMap((object) => {
          const missing = HYPOTHESIS_ANNOTATIONS.filter((annotation) => !object.metadata.annotations?.[annotation]?.trim());
          return missing.length ? [{ object, message: `no annotation ${missing.join(', ')}` }] : [];
        }),
  },
  {
    id: 'chaos-invariants',
    description: `the ${INVARIANTS_ANNOTATION} annotation names invariants the checker (libs/invariants) checks, or "all"`,
    check: (context) =>
      context.objects.filter(isChaos).flatMap((object) => {
        const value = object.metadata.annotations?.[INVARIANTS_ANNOTATION]?.trim();
        if (!value || value === 'all') return [];
        const unknown = value
          .split(',')
          .map((id) => id.trim())
          .filter((id) => !isInvariantId(id));
        return unknown.length
          ? [
              {
                object,
                message: `${INVARIANTS_ANNOTATION} names ${unknown.map((id) => `"${id}"`).join(', ')}, which the checker does not know (it knows ${INVARIANT_IDS.join(', ')})`,
              },
            ]
          : [];
      }),
  },
];
