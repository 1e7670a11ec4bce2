import { TokenBucketLimiter } from './rate-limit';

describe('TokenBucketLimiter', () => {
  it('allows a burst, then refills at the configured rate', () => {
    let now = 0;
    const limiter = new TokenBucketLimiter({ burst: 3, perSecond: 2, now: () => now });
    expect([1, 2, 3].map(() => limiter.take('a').allowed)).toEqual([true, true, true]);
    expect(limiter.take('a')).toEqual({ allowed: false, retryAfterSeconds: 1 });
    now = 499;
    expect(limiter.take('a').allowed).toBe(false);
    now = 1_000; // 2 tokens back (one was not yet whole at 499 ms and is now)
    expect([limiter.take('a').allowed, limiter.take('a').allowed, limiter.take('a').allowed]).toEqual([true, true, false]);
  });

  it('keeps one bucket per key', () => {
    const limiter = new TokenBucketLimiter({ burst: 1, perSecond: 1, now: () => 0 });
    expect(limiter.take('alice GET /api/orders').allowed).toBe(true);
    expect(limiter.take('alice GET /api/orders').allowed).toBe(false);
    expect(limiter.take('bob GET /api/orders').allowed).toBe(true);
    expect(limiter.take('alice GET /api/products').allowed).toBe(true);
  });

  it('says how long until the next token at slow rates', () => {
    const limiter = new TokenBucketLimiter({ burst: 1, perSecond: 0.1, now: () => 0 });
    limiter.take('a');
    expect(limiter.take('a')).toEqual({ allowed: false, retryAfterSeconds: 10 });
  });

  it('forgets buckets that have refilled, so idle clients cost no memory', () => {
    let now = 0;
    const limiter = new TokenBucketLimiter({ burst: 2, perSecond: 1, now: () => now });
    limiter.take('a');
    limiter.take('b');
    limiter.take('b');
    now = 1_000;
    limiter.sweep();
    expect(limiter.size).toBe(1); // a is full again, b still owes a token
    now = 2_000;
    limiter.sweep();
    expect(limiter.size).toBe(0);
  });

  it('keeps at most maxBuckets buckets, dropping the least recently used one', () => {
    const limiter = new TokenBucketLimiter({ burst: 1, perSecond: 0.001, maxBuckets: 3, now: () => 0 });
    for (const key of ['a', 'b', 'c']) limiter.take(key);
    expect(limiter.take('a').allowed).toBe(false); // used again: b is now the least recently used
    limiter.take('d');
    expect(limiter.size).toBe(3);
    expect(limiter.take('a').allowed).toBe(false); // kept, still empty
    expect(limiter.take('b').allowed).toBe(true); // dropped, so it starts full
    for (let index = 0; index < 100; index++) limiter.take(`flood-${index}`);
    expect(limiter.size).toBe(3);
  });
});
