import { StandardSchemaValidationPipe } from '@nestjs/common';
import { ValidationError, type FieldIssue } from '@storefront/ddd';
import type { z } from 'zod';

interface IssueLike {
  readonly message: string;
  readonly path?: ReadonlyArray<PropertyKey | { readonly key: PropertyKey }> | undefined;
}

export function toFieldIssues(issues: readonly IssueLike[]): FieldIssue[] {
  return issues.map((issue) => ({
    path: (issue.path ?? []).map((segment) => String(typeof segment === 'object' ? segment.key : segment)).join('.'),
    message: issue.message,
  }));
}

export function requestValidationError(issues: readonly IssueLike[]): ValidationError {
  const fieldIssues = toFieldIssues(issues);
  const summary = fieldIssues.map((issue) => (issue.path ? `${issue.path}: ${issue.message}` : issue.message));
  return new ValidationError(`The request is invalid: ${summary.join('; ')}`, fieldIssues);
}

/**
 * Validates every `@Query({ schema })`, `@Body({ schema })` and `@Param({ schema })` with its zod
 * schema and reports failures as a 400 problem listing each field.
 */
export function createValidationPipe(): StandardSchemaValidationPipe {
  return new StandardSchemaValidationPipe({ exceptionFactory: requestValidationError });
}

/** Parses a value outside the HTTP pipeline (gRPC handlers) with the same error shape. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw requestValidationError(result.error.issues);
  return result.data;
}
