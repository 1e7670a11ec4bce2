import type { StreamDefinition } from '@storefront/contracts';

/**
 * A prefix for every subject and stream name. Empty in production; tests give each run its own, so
 * runs never see each other's messages on a shared NATS server.
 */
export class Namespace {
  constructor(readonly prefix = '') {
    if (prefix && !/^[a-z0-9]+$/.test(prefix)) throw new Error(`namespace must be lower-case letters and digits, got "${prefix}"`);
  }

  subject(logical: string): string {
    return this.prefix ? `${this.prefix}.${logical}` : logical;
  }

  /** The logical subject of a subject in this namespace. */
  logical(subject: string): string {
    return this.prefix && subject.startsWith(`${this.prefix}.`) ? subject.slice(this.prefix.length + 1) : subject;
  }

  stream(stream: StreamDefinition): string {
    return this.prefix ? `${this.prefix.toUpperCase()}_${stream.name}` : stream.name;
  }

  streamSubjects(stream: StreamDefinition): string {
    return this.subject(`${stream.domain}.>`);
  }
}
