import type { JsonSchema } from './json-schema';

export type { JsonSchema } from './json-schema';

const asSchema = (value: unknown): JsonSchema => (value && typeof value === 'object' ? (value as JsonSchema) : {});
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const key = (value: unknown) => JSON.stringify(value);

/**
 * What in `after` would break a consumer written against `before`: a required field removed, made
 * optional or retyped; a type, enum or nullability widened. Additions that a lenient consumer
 * ignores (new optional fields) are compatible. Both are JSON Schemas as zod emits them.
 */
export function findBreakingChanges(before: JsonSchema, after: JsonSchema, path = '$'): string[] {
  const problems: string[] = [];
  if (key(before.type) !== key(after.type)) {
    problems.push(`${path}: type changed from ${key(before.type)} to ${key(after.type)}`);
    return problems;
  }
  for (const keyword of ['enum', 'const'] as const) {
    if (!(keyword in before)) continue;
    const allowed = new Set((keyword === 'enum' ? list(before.enum) : [before.const]).map(key));
    const now = keyword in after ? (keyword === 'enum' ? list(after.enum) : [after.const]) : undefined;
    if (!now) problems.push(`${path}: ${keyword} removed, any value may now arrive`);
    else
      for (const value of now.filter((candidate) => !allowed.has(key(candidate)))) {
        problems.push(`${path}: new value ${key(value)} that consumers do not expect`);
      }
  }
  const variants = (schema: JsonSchema) => list(schema.anyOf ?? schema.oneOf);
  if (variants(before).length > 0 || variants(after).length > 0) {
    const known = new Set(variants(before).map(key));
    for (const variant of variants(after).filter((candidate) => !known.has(key(candidate)))) {
      problems.push(`${path}: may now be ${key(variant)}`);
    }
  }
  if (before.type === 'object') {
    const beforeProps = asSchema(before.properties);
    const afterProps = asSchema(after.properties);
    const afterRequired = new Set(list(after.required));
    for (const field of list(before.required) as string[]) {
      if (!(field in afterProps)) problems.push(`${path}.${field}: required field removed`);
      else if (!afterRequired.has(field)) problems.push(`${path}.${field}: required field became optional`);
    }
    for (const [field, schema] of Object.entries(beforeProps)) {
      if (field in afterProps) {
        problems.push(...findBreakingChanges(asSchema(schema), asSchema(afterProps[field]), `${path}.${field}`));
      }
    }
  }
  if (before.type === 'array') {
    problems.push(...findBreakingChanges(asSchema(before.items), asSchema(after.items), `${path}[]`));
  }
  return problems;
}
