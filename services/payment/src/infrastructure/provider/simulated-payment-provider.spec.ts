import fc from 'fast-check';
import type { PaymentProviderSettings } from '@storefront/contracts';
import { Money } from '@storefront/ddd';
import { PaymentProviderUnavailableError } from '../../domain/payment.errors';
import type { HoldStatus, LedgerAmount, LedgerRecord, ProviderLedger } from './provider-ledger';
import { ProviderRefusedError, SimulatedPaymentProvider } from './simulated-payment-provider';

/** The ledger's contract in memory; the Prisma one runs in the service's integration tests. */
class MemoryLedger implements ProviderLedger {
  private readonly records = new Map<string, LedgerRecord>();
  find(key: string) {
    return Promise.resolve(this.records.get(key) ?? null);
  }
  open(record: Omit<LedgerRecord, 'createdAt'>) {
    if (!this.records.has(record.idempotencyKey)) this.records.set(record.idempotencyKey, { ...record, createdAt: new Date(0) });
    return Promise.resolve(this.records.get(record.idempotencyKey) as LedgerRecord);
  }
  move(key: string, from: HoldStatus, to: HoldStatus, amount?: LedgerAmount) {
    const record = this.records.get(key);
    const sameAmount = !amount || (record?.amountMinor === amount.amountMinor && record.currency === amount.currency);
    if (record?.status === from && sameAmount) this.records.set(key, { ...record, status: to });
    return Promise.resolve(this.records.get(key) ?? null);
  }
  list(status?: HoldStatus) {
    return Promise.resolve([...this.records.values()].filter((record) => status === undefined || record.status === status));
  }
}
const simulated = (settings: PaymentProviderSettings, random?: () => number) =>
  new SimulatedPaymentProvider(settings, new MemoryLedger(), random);

const reliable: PaymentProviderSettings = { latencyMs: 0, failureRate: 0, declineAmountOverMinor: null };
const amount = Money.of(1000, 'USD');
const capture = { idempotencyKey: 'pay-1', amount };
const voiding = { idempotencyKey: 'pay-1', reference: 'order-1' };
const authorize = (provider: SimulatedPaymentProvider, paymentToken: string, amountMinor = 1000, idempotencyKey = `pay-${Math.random()}`) =>
  provider.authorize({ idempotencyKey, reference: 'order-1', amount: Money.of(amountMinor, 'USD'), paymentToken });

describe('SimulatedPaymentProvider', () => {
  it('approves tok_visa and any other tok_ token', async () => {
    const provider = simulated(reliable);
    await expect(authorize(provider, 'tok_visa')).resolves.toEqual({ approved: true });
    await expect(authorize(provider, 'tok_mastercard')).resolves.toEqual({ approved: true });
  });

  it('always declines tok_decline, with a message', async () => {
    const provider = simulated(reliable);
    await expect(authorize(provider, 'tok_decline', 1)).resolves.toEqual({ approved: false, message: expect.any(String) });
  });

  it('declines a token it did not issue', async () => {
    const provider = simulated(reliable);
    await expect(authorize(provider, '4242424242424242')).resolves.toMatchObject({ approved: false });
  });

  it('declines exactly the amounts above declineAmountOverMinor', async () => {
    const provider = simulated({ ...reliable, declineAmountOverMinor: 10_000 });
    await expect(authorize(provider, 'tok_visa', 10_000)).resolves.toEqual({ approved: true });
    await expect(authorize(provider, 'tok_visa', 10_001)).resolves.toMatchObject({
      approved: false,
      message: expect.stringContaining('10000'),
    });
  });

  it('never declines for the amount when declineAmountOverMinor is null', async () => {
    const provider = simulated(reliable);
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: Money.MAX_MINOR }), async (amountMinor) => {
        expect(await authorize(provider, 'tok_visa', amountMinor)).toEqual({ approved: true });
      }),
    );
  });

  it('holds the money of an approval until it is captured or voided, once per idempotency key', async () => {
    const provider = simulated(reliable);
    await authorize(provider, 'tok_visa', 1000, 'pay-1');
    await expect(authorize(provider, 'tok_decline', 1000, 'pay-1')).resolves.toEqual({ approved: true }); // a replay
    await expect(provider.holds('held')).resolves.toEqual([
      {
        idempotencyKey: 'pay-1',
        reference: 'order-1',
        status: 'held',
        amount: { amountMinor: 1000, currency: 'USD' },
        createdAt: expect.any(String),
      },
    ]);
    await provider.capture(capture);
    await provider.capture(capture);
    expect((await provider.holds()).map((hold) => hold.status)).toEqual(['captured']);
    await expect(provider.void(voiding)).rejects.toThrow(ProviderRefusedError);
  });

  it('releases a hold by its key, and declines an authorization that comes after its void', async () => {
    const provider = simulated(reliable);
    await authorize(provider, 'tok_visa', 1000, 'pay-1');
    await provider.void(voiding);
    await provider.void(voiding);
    await expect(provider.capture(capture)).rejects.toThrow(ProviderRefusedError);
    await provider.void({ idempotencyKey: 'pay-2', reference: 'order-2' });
    await expect(authorize(provider, 'tok_visa', 1000, 'pay-2')).resolves.toMatchObject({ approved: false });
    await expect(provider.holds('held')).resolves.toEqual([]);
    expect((await provider.holds('voided')).map((hold) => hold.idempotencyKey)).toEqual(['pay-1', 'pay-2']);
  });

  it('fails every call transiently when failureRate is 1', async () => {
    const provider = simulated({ ...reliable, failureRate: 1 });
    for (let call = 0; call < 20; call += 1) {
      await expect(authorize(provider, 'tok_visa')).rejects.toThrow(PaymentProviderUnavailableError);
    }
    await expect(provider.capture(capture)).rejects.toThrow(PaymentProviderUnavailableError);
    await expect(provider.void(voiding)).rejects.toThrow(PaymentProviderUnavailableError);
    await expect(provider.holds()).resolves.toEqual([]);
  });

  it('fails a call when its random draw is below failureRate, and only then', async () => {
    const draws = [0.29, 0.3, 0.31];
    const provider = simulated({ ...reliable, failureRate: 0.3 }, () => draws.shift() ?? 1);
    await expect(authorize(provider, 'tok_visa', 1000, 'pay-1')).rejects.toThrow(PaymentProviderUnavailableError);
    await expect(authorize(provider, 'tok_visa', 1000, 'pay-1')).resolves.toEqual({ approved: true });
    await expect(provider.capture(capture)).resolves.toBeUndefined();
  });

  it('waits latencyMs on every call', async () => {
    const provider = simulated({ ...reliable, latencyMs: 120 });
    for (const call of [
      () => authorize(provider, 'tok_visa', 1000, 'pay-1'),
      () => provider.capture(capture),
      () => provider.void({ ...voiding, idempotencyKey: 'pay-2' }),
    ]) {
      const started = performance.now();
      await call();
      expect(performance.now() - started).toBeGreaterThanOrEqual(115);
    }
  });

  it('uses settings changed at run time, and hands out copies of them', async () => {
    const provider = simulated(reliable);
    const changed = provider.configure({ latencyMs: 0, failureRate: 1, declineAmountOverMinor: 5 });
    changed.failureRate = 0;
    expect(provider.settings).toEqual({ latencyMs: 0, failureRate: 1, declineAmountOverMinor: 5 });
    await expect(authorize(provider, 'tok_visa')).rejects.toThrow(PaymentProviderUnavailableError);
  });
});
