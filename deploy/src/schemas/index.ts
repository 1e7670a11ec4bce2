import Ajv, { type ValidateFunction } from 'ajv';
import { describe, type Manifest } from '../manifest';
import { checkWithModels, modelModule } from './core';
import { assertStrict, CRD_SCHEMAS } from './crds';

export interface SchemaError {
  readonly object: string;
  readonly path: string;
  readonly message: string;
}

const ajv = new Ajv({ allErrors: true, strict: true });
const validators = new Map<string, ValidateFunction>();

function crdValidator(key: string): ValidateFunction | undefined {
  const schema = CRD_SCHEMAS[key];
  if (!schema) return undefined;
  let validate = validators.get(key);
  if (!validate) {
    assertStrict(schema, key);
    validate = ajv.compile(schema);
    validators.set(key, validate);
  }
  return validate;
}

/** Every object against its schema; unknown fields, wrong types and unknown kinds are errors. */
export function validateSchemas(objects: readonly Manifest[]): SchemaError[] {
  const errors: SchemaError[] = [];
  const modelled: Manifest[] = [];
  for (const object of objects) {
    const key = `${object.apiVersion}/${object.kind}`;
    const validate = crdValidator(key);
    if (validate) {
      if (!validate(object)) {
        for (const error of validate.errors ?? []) {
          const detail =
            error.keyword === 'additionalProperties'
              ? `unknown field "${String(error.params.additionalProperty)}"`
              : (error.message ?? error.keyword);
          errors.push({ object: describe(object), path: error.instancePath || '/', message: detail });
        }
      }
    } else if (modelModule(object)) {
      modelled.push(object);
    } else {
      errors.push({ object: describe(object), path: '/', message: `no schema for ${key}: add a strict one to deploy/src/schemas/crds.ts` });
    }
  }
  return [...errors, ...checkWithModels(modelled)];
}
