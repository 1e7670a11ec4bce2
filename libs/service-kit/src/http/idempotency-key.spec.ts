import { IdempotencyKeyError, requireIdempotencyKey } from './idempotency-key';

describe('requireIdempotencyKey', () => {
  it('accepts a key of the contract’s characters, up to 128 of them', () => {
    expect(requireIdempotencyKey('order-2026:01_a.b')).toBe('order-2026:01_a.b');
    expect(requireIdempotencyKey('k'.repeat(128))).toHaveLength(128);
  });

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['blank', '   '],
    ['sent twice', ['a', 'b']],
  ])('refuses a %s key with IDEMPOTENCY_KEY.REQUIRED naming the header', (_case, header) => {
    let caught: unknown;
    try {
      requireIdempotencyKey(header);
    } catch (error) {
      caught = error;
    }
    expect(caught).toMatchObject({ code: 'IDEMPOTENCY_KEY.REQUIRED', kind: 'invalid', issues: [{ path: 'Idempotency-Key' }] });
  });

  it.each([
    ['too long', 'k'.repeat(129)],
    ['with a space inside', 'two words'],
    ['with a slash', 'a/b'],
  ])('refuses a key %s with IDEMPOTENCY_KEY.INVALID', (_case, header) => {
    let caught: unknown;
    try {
      requireIdempotencyKey(header);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(IdempotencyKeyError);
    expect(caught).toMatchObject({ code: 'IDEMPOTENCY_KEY.INVALID', message: expect.stringMatching(/^Idempotency-Key must be 1-128/) });
  });
});
