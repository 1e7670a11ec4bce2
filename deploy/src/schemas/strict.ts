/**
 * Building blocks of the strict custom-resource schemas (crds.ts and the files it gathers): every
 * object refuses fields it does not list, so a misspelt field is an error, never silently dropped.
 */
export const object = (properties: Record<string, unknown>, required: string[] = []) => ({
  type: 'object',
  properties,
  required,
  additionalProperties: false,
});
export const map = (values: Record<string, unknown>) => ({ type: 'object', additionalProperties: values });
export const array = (items: unknown, minItems = 0) => ({ type: 'array', items, minItems });
export const string = { type: 'string', minLength: 1 };
export const strings = array(string);
export const integer = (minimum: number, maximum?: number) => ({ type: 'integer', minimum, ...(maximum === undefined ? {} : { maximum }) });
export const oneOf = (...values: string[]) => ({ enum: values });
const quantity = { anyOf: [{ type: 'string', pattern: '^[0-9.]+([eE][0-9]+|[numkMGTPE]i?)?$' }, { type: 'number' }] };
export const resources = object({ requests: map(quantity), limits: map(quantity) });
export const metadata = object({ name: string, namespace: string, labels: map({ type: 'string' }), annotations: map({ type: 'string' }) }, [
  'name',
]);
/** A Go duration as Kubernetes operators parse it ("30s", "1m30s", "250ms"); no sign, no spaces. */
export const duration = { type: 'string', pattern: '^([0-9]+(\\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$' };

/** The parts of core/v1 that custom resources embed (Container, EnvVar, ...), as far as we use them. */
const keyRef = object({ name: string, key: string, optional: { type: 'boolean' } }, ['name', 'key']);
export const env = array(
  object({ name: string, value: { type: 'string' }, valueFrom: object({ secretKeyRef: keyRef, configMapKeyRef: keyRef }) }, ['name']),
);
export const envFrom = array(object({ configMapRef: object({ name: string }, ['name']), secretRef: object({ name: string }, ['name']) }));
const seccompProfile = object({ type: oneOf('RuntimeDefault', 'Localhost', 'Unconfined'), localhostProfile: string }, ['type']);
export const podSecurityContext = object({
  runAsNonRoot: { type: 'boolean' },
  runAsUser: integer(0),
  runAsGroup: integer(0),
  fsGroup: integer(0),
  seccompProfile,
});
export const containerSecurityContext = object({
  runAsNonRoot: { type: 'boolean' },
  runAsUser: integer(0),
  runAsGroup: integer(0),
  allowPrivilegeEscalation: { type: 'boolean' },
  privileged: { type: 'boolean' },
  readOnlyRootFilesystem: { type: 'boolean' },
  capabilities: object({ drop: strings, add: strings }),
  seccompProfile,
});
export const volumeMounts = array(
  object({ name: string, mountPath: string, readOnly: { type: 'boolean' }, subPath: string }, ['name', 'mountPath']),
);
export const volumes = array(
  object(
    {
      name: string,
      emptyDir: object({ medium: { type: 'string' }, sizeLimit: quantity }),
      secret: object({ secretName: string, optional: { type: 'boolean' } }, ['secretName']),
      configMap: object({ name: string, optional: { type: 'boolean' } }, ['name']),
      persistentVolumeClaim: object({ claimName: string, readOnly: { type: 'boolean' } }, ['claimName']),
    },
    ['name'],
  ),
);
export const imagePullPolicy = oneOf('Always', 'IfNotPresent', 'Never');
export const container = object(
  {
    name: string,
    image: string,
    imagePullPolicy,
    workingDir: string,
    command: strings,
    args: array({ type: 'string' }),
    env,
    envFrom,
    resources,
    securityContext: containerSecurityContext,
    volumeMounts,
  },
  ['name', 'image'],
);
