import fc from 'fast-check';
import type { PaymentProviderSettings } from '@storefront/contracts';
import { Money } from '../../domain/money.value-object';
import { PaymentProviderUnavailableError } from '../../domain/payment.errors';
import { SimulatedPaymentProvider } from './simulated-payment-provider';

const reliable: PaymentProviderSettings = { latencyMs: 0, failureRate: 0, declineAmountOverMinor: null };
const capture = { reference: 'order-1', amount: Money.of(1000, 'USD') };
const voiding = { reference: 'order-1' };
const authorize = (provider: SimulatedPaymentProvider, paymentToken: string, amountMinor = 1000) =>
  provider.authorize({ reference: 'order-1', amount: Money.of(amountMinor, 'USD'), paymentToken });

describe('SimulatedPaymentProvider', () => {
  it('approves tok_visa and any other tok_ token', async () => {
    const provider = new SimulatedPaymentProvider(reliable);
    await expect(authorize(provider, 'tok_visa')).resolves.toEqual({ approved: true });
    await expect(authorize(provider, 'tok_mastercard')).resolves.toEqual({ approved: true });
  });

  it('always declines tok_decline, with a message', async () => {
    const provider = new SimulatedPaymentProvider(reliable);
    await expect(authorize(provider, 'tok_decline', 1)).resolves.toEqual({ approved: false, message: expect.any(String) });
  });

  it('declines a token it did not issue', async () => {
    const provider = new SimulatedPaymentProvider(reliable);
    await expect(authorize(provider, '4242424242424242')).resolves.toMatchObject({ approved: false });
  });

  it('declines exactly the amounts above declineAmountOverMinor', async () => {
    const provider = new SimulatedPaymentProvider({ ...reliable, declineAmountOverMinor: 10_000 });
    await expect(authorize(provider, 'tok_visa', 10_000)).resolves.toEqual({ approved: true });
    await expect(authorize(provider, 'tok_visa', 10_001)).resolves.toMatchObject({
      approved: false,
      message: expect.stringContaining('10000'),
    });
  });

  it('never declines for the amount when declineAmountOverMinor is null', async () => {
    const provider = new SimulatedPaymentProvider(reliable);
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: Money.MAX_MINOR }), async (amount) => {
        expect(await authorize(provider, 'tok_visa', amount)).toEqual({ approved: true });
      }),
    );
  });

  it('fails every call transiently when failureRate is 1', async () => {
    const provider = new SimulatedPaymentProvider({ ...reliable, failureRate: 1 });
    for (let call = 0; call < 20; call += 1) {
      await expect(authorize(provider, 'tok_visa')).rejects.toThrow(PaymentProviderUnavailableError);
    }
    await expect(provider.capture(capture)).rejects.toThrow(PaymentProviderUnavailableError);
    await expect(provider.void(voiding)).rejects.toThrow(PaymentProviderUnavailableError);
  });

  it('fails a call when its random draw is below failureRate, and only then', async () => {
    const draws = [0.29, 0.3, 0.31];
    const provider = new SimulatedPaymentProvider({ ...reliable, failureRate: 0.3 }, () => draws.shift() ?? 1);
    await expect(provider.capture(capture)).rejects.toThrow(PaymentProviderUnavailableError);
    await expect(provider.capture(capture)).resolves.toBeUndefined();
    await expect(provider.capture(capture)).resolves.toBeUndefined();
  });

  it('waits latencyMs on every call', async () => {
    const provider = new SimulatedPaymentProvider({ ...reliable, latencyMs: 120 });
    for (const call of [() => authorize(provider, 'tok_visa'), () => provider.capture(capture), () => provider.void(voiding)]) {
      const started = performance.now();
      await call();
      expect(performance.now() - started).toBeGreaterThanOrEqual(115);
    }
  });

  it('uses settings changed at run time, and hands out copies of them', async () => {
    const provider = new SimulatedPaymentProvider(reliable);
    const changed = provider.configure({ latencyMs: 0, failureRate: 1, declineAmountOverMinor: 5 });
    changed.failureRate = 0;
    expect(provider.settings).toEqual({ latencyMs: 0, failureRate: 1, declineAmountOverMinor: 5 });
    await expect(authorize(provider, 'tok_visa')).rejects.toThrow(PaymentProviderUnavailableError);
  });
});
