import { z } from 'zod';
import { baseConfigSchema, ConfigError, databaseConfigSchema, parseConfig } from './config';

const schema = baseConfigSchema.extend(databaseConfigSchema.shape);

describe('parseConfig', () => {
  it('applies defaults and coerces numbers', () => {
    const config = parseConfig(schema, { HTTP_PORT: '3001', DATABASE_URL: 'postgresql://localhost/db' });
    expect(config).toMatchObject({ HTTP_PORT: 3001, HOST: '0.0.0.0', LOG_LEVEL: 'info', NODE_ENV: 'development' });
  });

  it('names a missing variable', () => {
    expect(() => parseConfig(schema, { HTTP_PORT: '3001' })).toThrow(/DATABASE_URL: .*it is not set/);
  });

  it('names every bad variable with the value it got', () => {
    try {
      parseConfig(schema, { HTTP_PORT: 'eighty', DATABASE_URL: 'mysql://x/y', LOG_LEVEL: 'loud' });
      throw new Error('expected a ConfigError');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const message = (error as Error).message;
      expect(message).toMatch(/HTTP_PORT: .*got "eighty"/);
      expect(message).toMatch(/DATABASE_URL: must be a postgresql:\/\/ URL .*got "mysql:\/\/x\/y"/);
      expect(message).toMatch(/LOG_LEVEL: .*got "loud"/);
    }
  });

  it('refuses ports out of range', () => {
    expect(() => parseConfig(z.object({ HTTP_PORT: baseConfigSchema.shape.HTTP_PORT }), { HTTP_PORT: '70000' })).toThrow(/HTTP_PORT/);
  });
});
