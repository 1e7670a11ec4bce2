import { z } from 'zod';
import { envelopeSchemaOf } from './envelope';
import type { EventDefinition } from './event-definition';

export type JsonSchema = Record<string, unknown>;

/** The JSON Schema (draft-07, as AsyncAPI schemas are) of an event's whole envelope. */
export function envelopeJsonSchema(definition: EventDefinition): JsonSchema {
  const { $schema: _ignored, ...schema } = z.toJSONSchema(envelopeSchemaOf(definition), {
    target: 'draft-07',
    io: 'output',
  }) as JsonSchema;
  return schema;
}
