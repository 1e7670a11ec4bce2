import fc from 'fast-check';
import { ReadView, type Loaded } from './read-view';

let sequence = 0;
function view(options: { maxEntries?: number; ttlMs?: number; maxInvalidations?: number; now?: () => number } = {}) {
  return new ReadView<string>({ name: `test-${++sequence}`, maxEntries: 3, ttlMs: 1_000, ...options });
}

const loaded = (value: string, tags: string[] = [`product:${value}`], versions?: Record<string, number>): Loaded<string> => ({
  value,
  tags,
  ...(versions ? { versions } : {}),
});

/** A load the test finishes when it chooses. */
function deferred() {
  let finish!: (value: Loaded<string> | null) => void;
  const promise = new Promise<Loaded<string> | null>((resolve) => (finish = resolve));
  return { load: () => promise, finish };
}

describe('ReadView', () => {
  it('loads once and then answers from memory', async () => {
    const cache = view();
    let loads = 0;
    const load = () => Promise.resolve(loaded(`a${++loads}`));
    await expect(cache.read('a', load)).resolves.toBe('a1');
    await expect(cache.read('a', load)).resolves.toBe('a1');
    expect(loads).toBe(1);
    expect(cache.peek('a')).toBe('a1');
  });

  it('keeps at most maxEntries, dropping the least recently read', async () => {
    const cache = view({ maxEntries: 3 });
    for (const key of ['a', 'b', 'c']) await cache.read(key, () => Promise.resolve(loaded(key)));
    cache.peek('a'); // read again: b is now the least recently read
    await cache.read('d', () => Promise.resolve(loaded('d')));
    expect(cache.size).toBe(3);
    expect(cache.peek('b')).toBeUndefined();
    expect(['a', 'c', 'd'].map((key) => cache.peek(key))).toEqual(['a', 'c', 'd']);
  });

  it('never holds more than maxEntries, whatever is read and invalidated', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 5 }),
        fc.array(
          fc.oneof(fc.record({ read: fc.integer({ min: 0, max: 20 }) }), fc.record({ invalidate: fc.integer({ min: 0, max: 20 }) })),
        ),
        async (maxEntries, operations) => {
          const cache = view({ maxEntries });
          for (const operation of operations) {
            if ('read' in operation) await cache.read(`k${operation.read}`, () => Promise.resolve(loaded(`k${operation.read}`)));
            else cache.invalidate(`product:k${operation.invalidate}`);
            if (cache.size > maxEntries) return false;
          }
          return true;
        },
      ),
    );
  });

  it('drops an entry when its TTL has passed, with no invalidation', async () => {
    let now = 0;
    const cache = view({ ttlMs: 1_000, now: () => now });
    await cache.read('a', () => Promise.resolve(loaded('a')));
    now = 999;
    expect(cache.peek('a')).toBe('a');
    now = 1_000;
    expect(cache.peek('a')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('drops every entry carrying an invalidated tag, and no other', async () => {
    const cache = view();
    await cache.read('a', () => Promise.resolve(loaded('a', ['product:a', 'sku:A'])));
    await cache.read('b', () => Promise.resolve(loaded('b', ['product:b', 'sku:B'])));
    cache.invalidate('sku:A');
    expect(cache.peek('a')).toBeUndefined();
    expect(cache.peek('b')).toBe('b');
  });

  it('never keeps a value that was not found', async () => {
    const cache = view();
    let loads = 0;
    const missing = () => {
      loads += 1;
      return Promise.resolve(null);
    };
    await expect(cache.read('gone', missing)).resolves.toBeNull();
    await expect(cache.read('gone', missing)).resolves.toBeNull();
    expect(loads).toBe(2);
    expect(cache.size).toBe(0);
  });

  it('serves but does not keep a load that an invalidation of its tags overtook', async () => {
    const cache = view();
    const slow = deferred();
    const reading = cache.read('a', slow.load);
    cache.invalidate('product:a'); // the event arrives while the old state is on its way
    slow.finish(loaded('old', ['product:a']));
    await expect(reading).resolves.toBe('old');
    expect(cache.peek('a')).toBeUndefined();
    // Invalidations of other tags do not stop a load from being kept.
    const other = deferred();
    const next = cache.read('a', other.load);
    cache.invalidate('product:z');
    other.finish(loaded('new', ['product:a']));
    await next;
    expect(cache.peek('a')).toBe('new');
  });

  it('keeps a value only when it is at least as new as the version announced for its tag', async () => {
    const cache = view();
    cache.invalidate('sku:A', 7); // inventory's change 7, which the source has not applied yet
    await cache.read('a', () => Promise.resolve(loaded('stale', ['sku:A'], { 'sku:A': 6 })));
    expect(cache.peek('a')).toBeUndefined();
    await cache.read('a', () => Promise.resolve(loaded('fresh', ['sku:A'], { 'sku:A': 7 })));
    expect(cache.peek('a')).toBe('fresh');
    cache.invalidate('sku:A', 5); // an older change arriving late lowers nothing
    await cache.read('a', () => Promise.resolve(loaded('older', ['sku:A'], { 'sku:A': 6 })));
    expect(cache.peek('a')).toBeUndefined();
  });

  it('remembers a bounded number of invalidations, refusing loads older than one it forgot', async () => {
    const cache = view({ maxInvalidations: 2 });
    const slow = deferred();
    const reading = cache.read('a', slow.load);
    cache.invalidate('product:a');
    cache.invalidate('product:b');
    cache.invalidate('product:c'); // product:a's record is forgotten
    slow.finish(loaded('a'));
    await reading;
    expect(cache.peek('a')).toBeUndefined();
    await cache.read('a', () => Promise.resolve(loaded('a')));
    expect(cache.peek('a')).toBe('a');
  });

  it('keeps nothing while suspended, and empties itself on suspend and clear', async () => {
    const cache = view();
    await cache.read('a', () => Promise.resolve(loaded('a')));
    cache.suspend();
    expect(cache.size).toBe(0);
    await cache.read('a', () => Promise.resolve(loaded('a')));
    expect(cache.size).toBe(0);
    cache.resume();
    await cache.read('a', () => Promise.resolve(loaded('a')));
    expect(cache.size).toBe(1);
    const slow = deferred();
    const reading = cache.read('b', slow.load);
    cache.clear();
    slow.finish(loaded('b'));
    await reading;
    expect(cache.size).toBe(0);
  });

  it('is off with maxEntries 0: every read loads', async () => {
    const cache = view({ maxEntries: 0 });
    let loads = 0;
    const load = () => Promise.resolve(loaded(`a${++loads}`));
    await cache.read('a', load);
    await cache.read('a', load);
    expect(loads).toBe(2);
  });
});
