import { Counter, Gauge, register } from 'prom-client';

/** What a load found: the value, the tags that invalidate it, and the versions it reflects. */
export interface Loaded<V> {
  readonly value: V;
  /** `product:<id>`, `sku:<sku>`: invalidate(tag) drops every entry carrying it. */
  readonly tags: readonly string[];
  /**
   * Per tag, the version of the source this value reflects (e.g. the stock-change version of its
   * availability). A value older than a version invalidate() announced for the tag is served but not kept.
   */
  readonly versions?: Readonly<Record<string, number>>;
}

export interface ReadViewOptions {
  /** Names the view in metrics (`storefront_read_view_*{view}`). */
  readonly name: string;
  /** Entries kept at most; the least recently read goes first. 0 turns the view off (every read loads). */
  readonly maxEntries: number;
  /** An entry is dropped this long after it was loaded, whether or not an invalidation came: the safety net. */
  readonly ttlMs: number;
  /** Invalidations remembered for loads in flight and for versions (default 4 × maxEntries, at least 1,000). */
  readonly maxInvalidations?: number;
  /** Clock in ms, for tests. */
  readonly now?: () => number;
}

interface Entry<V> {
  readonly value: V;
  readonly tags: readonly string[];
  readonly expiresAt: number;
}

interface Invalidation {
  /** The sequence number of the latest invalidation of the tag. */
  seq: number;
  /** The highest version announced for the tag. */
  version: number;
}

function metrics() {
  const counter = (name: string, help: string, labelNames: string[]) =>
    (register.getSingleMetric(name) as Counter | undefined) ?? new Counter({ name, help, labelNames });
  return {
    reads: counter('storefront_read_view_reads_total', 'Reads of an in-memory read view, by outcome (hit, miss)', ['view', 'outcome']),
    discarded: counter(
      'storefront_read_view_discarded_total',
      'Loaded values not kept because an invalidation overtook them (served once, not cached)',
      ['view'],
    ),
    invalidations: counter('storefront_read_view_invalidations_total', 'Invalidations received by a read view', ['view']),
  };
}

const views = new Set<ReadView<unknown>>();
function registerSizeGauge(): void {
  const name = 'storefront_read_view_entries';
  if (register.getSingleMetric(name)) return;
  new Gauge({
    name,
    help: 'Entries an in-memory read view holds (bounded by its maxEntries)',
    labelNames: ['view'],
    collect() {
      this.reset();
      for (const view of views) this.inc({ view: view.name }, view.size);
    },
  });
}

/**
 * A bounded in-memory read-through view: values loaded on a miss, kept until an invalidation names
 * one of their tags, the TTL passes, or the least recently read ones make room. Invalidations come
 * from events, so they may overtake a load in flight: a load started before an invalidation of one
 * of its tags, or returning an older version than one announced, is returned to its caller but not
 * kept. Nothing is kept while the view is suspended (its invalidations cannot be trusted to arrive).
 *
 * Written here rather than on lru-cache: the eviction is a Map in insertion order (a few lines);
 * what a view needs beyond it (tags, the invalidation sequence that guards loads in flight, versions)
 * is what no LRU library offers.
 */
export class ReadView<V> {
  readonly name: string;
  private readonly entries = new Map<string, Entry<V>>();
  private readonly byTag = new Map<string, Set<string>>();
  private readonly invalidated = new Map<string, Invalidation>();
  private readonly maxInvalidations: number;
  private readonly now: () => number;
  private readonly metrics = metrics();
  private seq = 0;
  /** Loads started before this sequence number are not kept (their invalidations were forgotten). */
  private floor = 0;
  private suspended = false;

  constructor(private readonly options: ReadViewOptions) {
    this.name = options.name;
    this.now = options.now ?? Date.now;
    this.maxInvalidations = options.maxInvalidations ?? Math.max(1_000, 4 * options.maxEntries);
    views.add(this);
    registerSizeGauge();
  }

  get size(): number {
    return this.entries.size;
  }

  /** The value kept for `key`, if any and not expired; counts a hit (a miss is counted by read()). */
  peek(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.drop(key);
      return undefined;
    }
    // Least recently read first out: move it to the end.
    this.entries.delete(key);
    this.entries.set(key, entry);
    this.metrics.reads.inc({ view: this.name, outcome: 'hit' });
    return entry.value;
  }

  /** The kept value, or what `load` finds (kept unless an invalidation overtook it); null is never kept. */
  async read(key: string, load: () => Promise<Loaded<V> | null>): Promise<V | null> {
    const kept = this.peek(key);
    if (kept !== undefined) return kept;
    this.metrics.reads.inc({ view: this.name, outcome: 'miss' });
    const started = this.seq;
    const loaded = await load();
    if (loaded === null) return null;
    if (this.keepable(loaded, started)) this.store(key, loaded);
    else this.metrics.discarded.inc({ view: this.name });
    return loaded.value;
  }

  /** Drops every entry tagged `tag`, and refuses loads in flight for it (and older than `version`, if given). */
  invalidate(tag: string, version?: number): void {
    this.metrics.invalidations.inc({ view: this.name });
    const seq = ++this.seq;
    const previous = this.invalidated.get(tag);
    this.invalidated.delete(tag);
    this.invalidated.set(tag, { seq, version: Math.max(previous?.version ?? 0, version ?? 0) });
    if (this.invalidated.size > this.maxInvalidations) {
      const [oldestTag, oldest] = this.invalidated.entries().next().value as [string, Invalidation];
      this.invalidated.delete(oldestTag);
      this.floor = Math.max(this.floor, oldest.seq);
    }
    for (const key of this.byTag.get(tag) ?? []) this.drop(key);
  }

  /** Drops everything, and refuses every load in flight. */
  clear(): void {
    this.seq += 1;
    this.floor = this.seq;
    this.entries.clear();
    this.byTag.clear();
  }

  /** Clears the view and keeps nothing until resume(): its invalidations are not arriving. */
  suspend(): void {
    this.suspended = true;
    this.clear();
  }

  resume(): void {
    this.suspended = false;
  }

  private keepable(loaded: Loaded<V>, started: number): boolean {
    if (this.suspended || this.options.maxEntries === 0 || started < this.floor) return false;
    for (const tag of loaded.tags) {
      const invalidation = this.invalidated.get(tag);
      if (!invalidation) continue;
      if (invalidation.seq > started) return false;
      if ((loaded.versions?.[tag] ?? Number.POSITIVE_INFINITY) < invalidation.version) return false;
    }
    return true;
  }

  private store(key: string, loaded: Loaded<V>): void {
    this.drop(key);
    this.entries.set(key, { value: loaded.value, tags: loaded.tags, expiresAt: this.now() + this.options.ttlMs });
    for (const tag of loaded.tags) {
      const keys = this.byTag.get(tag) ?? new Set<string>();
      keys.add(key);
      this.byTag.set(tag, keys);
    }
    if (this.entries.size > this.options.maxEntries) this.drop(this.entries.keys().next().value as string);
  }

  private drop(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    for (const tag of entry.tags) {
      const keys = this.byTag.get(tag);
      keys?.delete(key);
      if (keys?.size === 0) this.byTag.delete(tag);
    }
  }
}
