import { ConfigError, parseConfig } from '@storefront/service-kit';
import { paymentConfigSchema } from './config';

const required = { DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/storefront_payment' };

describe('payment configuration', () => {
  it('defaults to port 3004 and a provider that is instant, reliable and without amount limit', () => {
    const config = parseConfig(paymentConfigSchema, required);
    expect(config).toMatchObject({ HTTP_PORT: 3004, PROVIDER_LATENCY_MS: 0, PROVIDER_FAILURE_RATE: 0 });
    expect(config.PROVIDER_DECLINE_AMOUNT_OVER_MINOR).toBeUndefined();
  });

  it('reads the provider settings from the environment', () => {
    const config = parseConfig(paymentConfigSchema, {
      ...required,
      PROVIDER_LATENCY_MS: '250',
      PROVIDER_FAILURE_RATE: '0.1',
      PROVIDER_DECLINE_AMOUNT_OVER_MINOR: '100000',
    });
    expect(config).toMatchObject({ PROVIDER_LATENCY_MS: 250, PROVIDER_FAILURE_RATE: 0.1, PROVIDER_DECLINE_AMOUNT_OVER_MINOR: 100_000 });
  });

  it('takes an empty decline limit as no limit', () => {
    const config = parseConfig(paymentConfigSchema, { ...required, PROVIDER_DECLINE_AMOUNT_OVER_MINOR: '' });
    expect(config.PROVIDER_DECLINE_AMOUNT_OVER_MINOR).toBeUndefined();
  });

  it.each([
    ['PROVIDER_LATENCY_MS', 'slow'],
    ['PROVIDER_LATENCY_MS', '30001'],
    ['PROVIDER_FAILURE_RATE', '1.5'],
    ['PROVIDER_FAILURE_RATE', '-0.1'],
    ['PROVIDER_DECLINE_AMOUNT_OVER_MINOR', '12.5'],
    ['HTTP_PORT', 'http'],
  ])('refuses %s=%p, naming the variable', (variable, value) => {
    expect(() => parseConfig(paymentConfigSchema, { ...required, [variable]: value })).toThrow(ConfigError);
    expect(() => parseConfig(paymentConfigSchema, { ...required, [variable]: value })).toThrow(new RegExp(`${variable}: .*got "${value}"`));
  });

  it('requires DATABASE_URL', () => {
    expect(() => parseConfig(paymentConfigSchema, {})).toThrow(/DATABASE_URL: .*it is not set/);
  });
});
