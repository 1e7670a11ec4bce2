import { StandardSchemaValidationPipe, type ArgumentMetadata } from '@nestjs/common';
import type { z } from 'zod';
import { ValidationError, type FieldIssue } from '@storefront/ddd';

interface IssueLike {
  readonly message: string;
  readonly path?: ReadonlyArray<PropertyKey | { readonly key: PropertyKey }> | undefined;
}

function toFieldIssues(issues: readonly IssueLike[], root?: string): FieldIssue[] {
  return issues.map((issue) => ({
    path: [root, ...(issue.path ?? []).map((segment) => String(typeof segment === 'object' ? segment.key : segment))]
      .filter(Boolean)
      .join('.'),
    message: issue.message,
  }));
}

export function requestValidationError(issues: readonly IssueLike[], root?: string): ValidationError {
  const fieldIssues = toFieldIssues(issues, root);
  const summary = fieldIssues.map((issue) => (issue.path ? `${issue.path}: ${issue.message}` : issue.message));
  return new ValidationError(`The request is invalid: ${summary.join('; ')}`, fieldIssues);
}

/**
 * Validates every `@Query({ schema })`, `@Body({ schema })` and `@Param({ schema })` with its zod
 * schema and reports failures as a 400 problem listing each field.
 */
export function createValidationPipe(): StandardSchemaValidationPipe {
  return new NamedParameterValidationPipe({ exceptionFactory: requestValidationError });
}

const POLLUTING_KEYS = new Set(['__proto__', 'prototype', 'constructor']);

/** The first own key of `value` (at any depth) that could pollute a prototype, with its path. */
function pollutingKey(value: unknown): { key: string; path: string[] } | undefined {
  const stack: { node: unknown; path: string[] }[] = [{ node: value, path: [] }];
  const seen = new WeakSet<object>();
  while (stack.length > 0) {
    const { node, path } = stack.pop() as { node: unknown; path: string[] };
    if (node === null || typeof node !== 'object' || seen.has(node)) continue;
    seen.add(node);
    for (const key of Object.keys(node)) {
      if (POLLUTING_KEYS.has(key)) return { key, path };
      stack.push({ node: (node as Record<string, unknown>)[key], path: [...path, key] });
    }
  }
  return undefined;
}

/**
 * Names a single path or header parameter in the issues (`id: must be a UUID`), and refuses keys
 * that could pollute a prototype (`__proto__`, `prototype`, `constructor`) where Nest would drop them
 * silently: an input the contract does not allow is answered with 400, never quietly changed.
 */
class NamedParameterValidationPipe extends StandardSchemaValidationPipe {
  protected override stripProtoKeys(value: unknown): void {
    const found = pollutingKey(value);
    if (found) throw requestValidationError([{ message: `"${found.key}" is not an accepted field name`, path: found.path }]);
  }

  override async transform<T = unknown>(value: T, metadata: ArgumentMetadata): Promise<T> {
    try {
      return await super.transform(value, metadata);
    } catch (error) {
      if (error instanceof ValidationError && metadata.type === 'param' && metadata.data) {
        throw requestValidationError(
          error.issues.map((issue) => ({ message: issue.message, path: issue.path ? issue.path.split('.') : [] })),
          metadata.data,
        );
      }
      throw error;
    }
  }
}

/**
 * Parses a value outside the parameter pipes (gRPC requests, headers) with the same error shape;
 * `name` prefixes the reported paths (e.g. the header's name).
 */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, name?: string): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw requestValidationError(result.error.issues, name);
  return result.data;
}
