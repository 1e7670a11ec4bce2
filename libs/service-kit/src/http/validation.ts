import { type ArgumentMetadata, StandardSchemaValidationPipe } from '@nestjs/common';
import { ValidationError, type FieldIssue } from '@storefront/ddd';
import type { z } from 'zod';

interface IssueLike {
  readonly message: string;
  readonly path?: ReadonlyArray<PropertyKey | { readonly key: PropertyKey }> | undefined;
}

export function toFieldIssues(issues: readonly IssueLike[], root?: string): FieldIssue[] {
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

/** Names a single path or header parameter in the issues (`id: must be a UUID`). */
class NamedParameterValidationPipe extends StandardSchemaValidationPipe {
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
