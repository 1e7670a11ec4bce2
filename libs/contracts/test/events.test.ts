import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DiagnosticSeverity, Parser } from '@asyncapi/parser';
import { z } from 'zod';
import {
  buildAsyncApiDocuments,
  DEADLETTER_STREAM,
  defineEvent,
  envelopeJsonSchema,
  findBreakingChanges,
  INTEGRATION_EVENTS,
  ORDERS_STREAM,
  STREAMS,
  type JsonSchema,
} from '../src';

const ROOT = join(__dirname, '..');
const RECORD = 'run `pnpm --filter @storefront/contracts run build && pnpm --filter @storefront/contracts events:record`';

describe('integration event contracts', () => {
  it('gives every event version its own well-formed subject', () => {
    const subjects = INTEGRATION_EVENTS.map((event) => event.subject);
    expect(new Set(subjects).size).toBe(subjects.length);
    for (const event of INTEGRATION_EVENTS) {
      expect(event.subject).toBe(`${event.type}.v${event.version}`);
      expect(event.subject.startsWith(`${event.stream.domain}.`)).toBe(true);
    }
  });

  it('stores each event in the stream of its domain, and has one stream per domain plus the dead letters', () => {
    const domains = [...new Set(INTEGRATION_EVENTS.map((event) => event.stream.domain))];
    expect(STREAMS.map((stream) => stream.domain)).toEqual([...domains, DEADLETTER_STREAM.domain]);
    for (const event of INTEGRATION_EVENTS) expect(STREAMS).toContain(event.stream);
    expect(() =>
      defineEvent({
        stream: ORDERS_STREAM,
        subject: 'payment.thing-happened.v1',
        producer: 'test',
        description: '',
        payload: z.object({}),
      }),
    ).toThrow('its stream ORDERS stores orders');
  });

  it('keeps asyncapi/<producer>.json identical to the documents generated from the schemas, one per producer', () => {
    const documents = buildAsyncApiDocuments();
    expect({ staleUnlessYou: RECORD, files: readdirSync(join(ROOT, 'asyncapi')).sort() }).toEqual({
      staleUnlessYou: RECORD,
      files: [...documents.keys()].map((producer) => `${producer}.json`).sort(),
    });
    for (const [producer, document] of documents) {
      const committed = JSON.parse(readFileSync(join(ROOT, 'asyncapi', `${producer}.json`), 'utf8')) as unknown;
      expect({ staleUnlessYou: RECORD, producer, document: committed }).toEqual({ staleUnlessYou: RECORD, producer, document });
    }
  });

  it('publishes documents that are valid AsyncAPI 3 and together list every event', async () => {
    const addresses: string[] = [];
    for (const file of readdirSync(join(ROOT, 'asyncapi'))) {
      const { document, diagnostics } = await new Parser().parse(readFileSync(join(ROOT, 'asyncapi', file), 'utf8'));
      const errors = diagnostics.filter((diagnostic) => Number(diagnostic.severity) === Number(DiagnosticSeverity.Error));
      expect({ file, errors: errors.map((error) => `${error.path.join('.')}: ${error.message}`) }).toEqual({ file, errors: [] });
      addresses.push(
        ...(document
          ?.channels()
          .all()
          .map((channel) => channel.address() ?? '') ?? []),
      );
    }
    expect(addresses.sort()).toEqual(INTEGRATION_EVENTS.map((event) => event.subject).sort());
  });

  it('has recorded every event version, and no change breaks a recorded one', () => {
    const recorded = readdirSync(join(ROOT, 'events-baseline')).map((file) => file.replace(/\.json$/, ''));
    expect({ hint: RECORD, recorded: recorded.sort() }).toEqual({
      hint: RECORD,
      recorded: INTEGRATION_EVENTS.map((event) => event.subject).sort(),
    });
    for (const event of INTEGRATION_EVENTS) {
      const baseline = JSON.parse(readFileSync(join(ROOT, 'events-baseline', `${event.subject}.json`), 'utf8')) as JsonSchema;
      expect({ subject: event.subject, breaking: findBreakingChanges(baseline, envelopeJsonSchema(event)) }).toEqual({
        subject: event.subject,
        breaking: [],
      });
    }
  });
});

describe('findBreakingChanges', () => {
  const version = (payload: z.ZodType) =>
    envelopeJsonSchema(
      defineEvent({ stream: ORDERS_STREAM, subject: 'orders.thing-happened.v1', producer: 'test', description: '', payload }),
    );
  const base = z.object({
    orderId: z.uuid(),
    total: z.number().int(),
    status: z.enum(['placed', 'confirmed']),
    note: z.string().optional(),
    lines: z.array(z.object({ sku: z.string(), quantity: z.number().int() })),
  });
  const before = version(base);

  it('accepts an unchanged schema and a new optional field', () => {
    expect(findBreakingChanges(before, before)).toEqual([]);
    expect(findBreakingChanges(before, version(base.extend({ coupon: z.string().optional() })))).toEqual([]);
  });

  it.each([
    ['a removed required field', base.omit({ total: true }), /payload\.total: required field removed/],
    [
      'a required field made optional',
      base.extend({ total: z.number().int().optional() }),
      /payload\.total: required field became optional/,
    ],
    ['a retyped field', base.extend({ total: z.string() }), /payload\.total: type changed/],
    ['a widened enum', base.extend({ status: z.enum(['placed', 'confirmed', 'lost']) }), /payload\.status: new value "lost"/],
    ['a field that may now be null', base.extend({ orderId: z.uuid().nullable() }), /payload\.orderId/],
    [
      'a retyped field inside an array',
      base.extend({ lines: z.array(z.object({ sku: z.string(), quantity: z.string() })) }),
      /payload\.lines\[\]\.quantity: type changed/,
    ],
  ])('flags %s', (_case, changed, problem) => {
    expect(findBreakingChanges(before, version(changed)).join('\n')).toMatch(problem);
  });
});
