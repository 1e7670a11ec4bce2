import { randomUUID } from 'node:crypto';
import { paymentSchema, type PaymentDto, type PaymentProviderSettings } from '@storefront/contracts';
import { startPayment, type PaymentUnderTest } from './payment-app';

describe('payment REST API', () => {
  let payment: PaymentUnderTest;

  /** Admin by default; `as: null` sends no token. */
  const request = (...args: Parameters<typeof payment.request>) => payment.request(...args);

  beforeAll(async () => {
    payment = await startPayment({
      env: { PROVIDER_LATENCY_MS: '5', PROVIDER_FAILURE_RATE: '0.25', PROVIDER_DECLINE_AMOUNT_OVER_MINOR: '100000' },
    });
  });

  afterAll(async () => {
    await payment.close();
  });

  describe('GET /payments/:orderId', () => {
    it('answers the payment of an order', async () => {
      const orderId = randomUUID();
      const created = await payment.prisma.payment.create({
        data: {
          id: randomUUID(),
          orderId,
          status: 'captured',
          amountMinor: 2500,
          currency: 'USD',
          tokenLast4: 'visa',
          authorizedAt: new Date(),
        },
      });
      await payment.prisma.capture.create({ data: { paymentId: created.id, orderId, amountMinor: 2500, currency: 'USD' } });

      const response = await request('GET', `/payments/${orderId}`);

      expect(response.status).toBe(200);
      const dto = paymentSchema.parse(response.body);
      expect(dto).toEqual<PaymentDto>({
        id: created.id,
        orderId,
        status: 'captured',
        amount: { amountMinor: 2500, currency: 'USD' },
        capturedAmountMinor: 2500,
        createdAt: created.createdAt.toISOString(),
        updatedAt: created.updatedAt.toISOString(),
      });
      expect(JSON.stringify(response.body)).not.toContain('visa');
    });

    it('answers a tombstone as voided, with no amount', async () => {
      const orderId = randomUUID();
      await payment.prisma.payment.create({ data: { id: randomUUID(), orderId, status: 'voided' } });

      const response = await request('GET', `/payments/${orderId}`);

      expect(response).toMatchObject({
        status: 200,
        body: { status: 'voided', amount: { amountMinor: 0, currency: 'XXX' }, capturedAmountMinor: 0 },
      });
    });

    it('answers 404 problem+json for an order without payment', async () => {
      await expect(request('GET', `/payments/${randomUUID()}`)).resolves.toMatchObject({
        status: 404,
        type: expect.stringContaining('application/problem+json'),
        body: { status: 404, code: 'PAYMENT.NOT_FOUND' },
      });
    });

    it.each([
      ['no token', null, 401],
      ['a customer’s token', { subject: 'alice', roles: ['customer'] }, 403],
    ] as const)('refuses %s: payments are for admins (customers see theirs on their order)', async (_case, as, status) => {
      const orderId = randomUUID();
      await payment.prisma.payment.create({ data: { id: randomUUID(), orderId, status: 'voided' } });
      const who = as ? { ...as, roles: [...as.roles] } : null;
      await expect(request('GET', `/payments/${orderId}`, undefined, undefined, who)).resolves.toMatchObject({
        status,
        type: expect.stringContaining('application/problem+json'),
      });
    });

    it('answers 400 problem+json for an order id that is not a UUID', async () => {
      await expect(request('GET', '/payments/order-1')).resolves.toMatchObject({
        status: 400,
        type: expect.stringContaining('application/problem+json'),
        body: { code: 'VALIDATION.FAILED' },
      });
    });
  });

  describe('/admin/provider', () => {
    const JSON_BODY = 'application/json';
    const valid: PaymentProviderSettings = { latencyMs: 0, failureRate: 0.5, declineAmountOverMinor: null };

    it('starts with the settings from the environment', async () => {
      await expect(request('GET', '/admin/provider')).resolves.toEqual({
        status: 200,
        type: expect.stringContaining('application/json'),
        body: { latencyMs: 5, failureRate: 0.25, declineAmountOverMinor: 100_000 },
      });
    });

    it.each([
      ['no token', null, 401],
      ['a customer token', { subject: 'alice', roles: ['customer'] }, 403],
    ] as const)('refuses reads and changes with %s', async (_case, as, status) => {
      const before = payment.provider.settings;
      const who = as ? { ...as, roles: [...as.roles] } : null;
      await expect(request('GET', '/admin/provider', undefined, JSON_BODY, who)).resolves.toMatchObject({ status });
      await expect(request('PUT', '/admin/provider', { ...valid, failureRate: 1 }, JSON_BODY, who)).resolves.toMatchObject({
        status,
        type: expect.stringContaining('application/problem+json'),
      });
      expect(payment.provider.settings).toEqual(before);
    });

    it('changes the settings of the running provider', async () => {
      await expect(request('PUT', '/admin/provider', valid)).resolves.toMatchObject({ status: 200, body: valid });
      await expect(request('GET', '/admin/provider')).resolves.toMatchObject({ body: valid });
      expect(payment.provider.settings).toEqual(valid);
    });

    it.each<[string, unknown, string]>([
      ['a negative latency', { ...valid, latencyMs: -1 }, JSON_BODY],
      ['a latency over 30 s', { ...valid, latencyMs: 30_001 }, JSON_BODY],
      ['a fractional latency', { ...valid, latencyMs: 1.5 }, JSON_BODY],
      ['a failure rate over 1', { ...valid, failureRate: 1.01 }, JSON_BODY],
      ['a negative failure rate', { ...valid, failureRate: -0.1 }, JSON_BODY],
      ['a failure rate as text', { ...valid, failureRate: '0.5' }, JSON_BODY],
      ['a negative decline limit', { ...valid, declineAmountOverMinor: -1 }, JSON_BODY],
      ['a missing field', { latencyMs: 0, failureRate: 0 }, JSON_BODY],
      ['an unknown field', { ...valid, declineTokens: ['tok_visa'] }, JSON_BODY],
      ['an array', [valid], JSON_BODY],
      ['malformed JSON', '{"latencyMs":', JSON_BODY],
      ['a form-encoded body', 'latencyMs=0', 'application/x-www-form-urlencoded'],
    ])('refuses %s with 400 problem+json and keeps the settings', async (_case, body, contentType) => {
      await request('PUT', '/admin/provider', valid);

      const response = await request('PUT', '/admin/provider', body, contentType);

      expect(response).toMatchObject({
        status: 400,
        type: expect.stringContaining('application/problem+json'),
        body: { status: 400, code: expect.any(String), detail: expect.any(String) },
      });
      expect(payment.provider.settings).toEqual(valid);
    });
  });

  it('lists the provider’s records by status for admins only', async () => {
    const held = {
      idempotencyKey: randomUUID(),
      reference: randomUUID(),
      status: 'held',
      amountMinor: 700,
      currency: 'EUR',
      declineMessage: null,
    };
    await payment.prisma.providerAuthorization.create({ data: held });
    await payment.prisma.providerAuthorization.create({ data: { ...held, idempotencyKey: randomUUID(), status: 'voided' } });

    const response = await request('GET', '/admin/provider/holds?status=held');

    expect(response.status).toBe(200);
    expect((response.body as { items: { idempotencyKey: string }[] }).items).toEqual([
      {
        idempotencyKey: held.idempotencyKey,
        reference: held.reference,
        status: 'held',
        amount: { amountMinor: 700, currency: 'EUR' },
        createdAt: expect.any(String),
      },
    ]);
    await expect(request('GET', '/admin/provider/holds?status=lost')).resolves.toMatchObject({ status: 400 });
    await expect(
      request('GET', '/admin/provider/holds', undefined, undefined, { subject: 'alice', roles: ['customer'] }),
    ).resolves.toMatchObject({ status: 403 });
  });

  it('refuses a body of an unsupported media type with 415 and keeps the settings', async () => {
    const before = payment.provider.settings;
    const response = await request('PUT', '/admin/provider', '<latencyMs>0</latencyMs>', 'application/xml');
    expect(response).toMatchObject({ status: 415, type: expect.stringContaining('application/problem+json') });
    expect(payment.provider.settings).toEqual(before);
  });

  it('reports ready with the database and NATS checks', async () => {
    await expect(request('GET', '/health/ready')).resolves.toMatchObject({
      status: 200,
      body: { status: 'ready', checks: { database: { status: 'up' }, nats: { status: 'up' } } },
    });
  });
});
