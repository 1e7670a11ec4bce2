import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';

/** What the proxy does to the bytes between a service and what it talks to. */
export type ProxyFault =
  | { readonly kind: 'pass' }
  /** Every chunk, each way, arrives `ms` ± `jitterMs` late (in order, as on one TCP connection). */
  | { readonly kind: 'latency'; readonly ms: number; readonly jitterMs: number }
  /**
   * A share of the segments is lost. Above TCP a loss is a stall until the retransmission (200 ms,
   * doubling while the retransmission is lost too), with everything behind it waiting.
   */
  | { readonly kind: 'loss'; readonly rate: number }
  /** Nothing gets through either way; new connections are accepted and hang. Held bytes flow when it heals. */
  | { readonly kind: 'partition' };

interface Chunk {
  readonly data: Buffer;
  releaseAt: number;
}

const FIRST_RTO_MS = 200;
const MAX_RTO_MS = 3_200;
/** A segment lost this often in a row arrives anyway (a real stack would reset the connection instead). */
const MAX_RETRANSMISSIONS = 6;

/** One direction of one connection: a queue released in order, each chunk at its time. */
class Direction {
  private readonly queue: Chunk[] = [];
  private timer: NodeJS.Timeout | undefined;
  private lastRelease = 0;
  private ended = false;

  constructor(
    private readonly to: Socket,
    private readonly proxy: FaultProxy,
  ) {}

  push(data: Buffer): void {
    const now = Date.now();
    const fault = this.proxy.fault;
    let releaseAt = now;
    if (fault.kind === 'partition') releaseAt = Number.POSITIVE_INFINITY;
    if (fault.kind === 'latency') releaseAt = now + Math.max(0, fault.ms + (Math.random() * 2 - 1) * fault.jitterMs);
    if (fault.kind === 'loss') {
      let rto = FIRST_RTO_MS;
      for (let lost = 0; lost < MAX_RETRANSMISSIONS && Math.random() < fault.rate; lost++, rto = Math.min(rto * 2, MAX_RTO_MS))
        releaseAt += rto;
    }
    // One connection delivers in order: nothing overtakes a late chunk.
    releaseAt = Math.max(releaseAt, this.lastRelease);
    this.lastRelease = releaseAt;
    this.queue.push({ data, releaseAt });
    this.pump();
  }

  end(): void {
    this.ended = true;
    this.pump();
  }

  /** The fault changed: held chunks (a partition that healed) go now, later ones as they were timed. */
  heal(): void {
    const now = Date.now();
    for (const chunk of this.queue) if (chunk.releaseAt === Number.POSITIVE_INFINITY) chunk.releaseAt = now;
    if (this.lastRelease === Number.POSITIVE_INFINITY) this.lastRelease = now;
    this.pump();
  }

  destroy(): void {
    clearTimeout(this.timer);
    this.queue.length = 0;
  }

  private pump(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const now = Date.now();
    while (this.queue.length > 0 && (this.queue[0] as Chunk).releaseAt <= now) {
      const chunk = this.queue.shift() as Chunk;
      if (!this.to.destroyed) this.to.write(chunk.data);
    }
    const next = this.queue[0];
    if (next) {
      if (next.releaseAt !== Number.POSITIVE_INFINITY) this.timer = setTimeout(() => this.pump(), next.releaseAt - now);
    } else if (this.ended && !this.to.destroyed) {
      this.to.end();
    }
  }
}

/**
 * A TCP proxy between one service and one dependency (NATS, PostgreSQL) whose fault the chaos
 * runner sets while traffic flows: latency, loss or a partition, without root (no tc, no iptables).
 * The service is configured with the proxy's address; nothing else goes through it. Hand-written
 * rather than Toxiproxy: it runs inside the runner's process, on every platform Node runs on, with
 * nothing to install (see DEVELOPERS.md).
 */
export class FaultProxy {
  private current: ProxyFault = { kind: 'pass' };
  private readonly connections = new Set<{ client: Socket; upstream: Socket | undefined; directions: Direction[]; connect: () => void }>();

  private constructor(
    private readonly server: Server,
    private readonly target: { readonly host: string; readonly port: number },
  ) {}

  static async start(target: { host: string; port: number }): Promise<FaultProxy> {
    const server = createServer();
    const proxy = new FaultProxy(server, target);
    server.on('connection', (client) => proxy.accept(client));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    return proxy;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  get fault(): ProxyFault {
    return this.current;
  }

  set(fault: ProxyFault): void {
    const healed = this.current.kind === 'partition' && fault.kind !== 'partition';
    this.current = fault;
    if (!healed) return;
    for (const connection of this.connections) {
      if (!connection.upstream) connection.connect();
      for (const direction of connection.directions) direction.heal();
    }
  }

  async close(): Promise<void> {
    for (const connection of this.connections) {
      connection.client.destroy();
      connection.upstream?.destroy();
    }
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket): void {
    client.setNoDelay(true);
    const pending: Buffer[] = [];
    let clientEnded = false;
    const connection = {
      client,
      upstream: undefined as Socket | undefined,
      directions: [] as Direction[],
      connect: () => {
        const upstream = connect({ host: this.target.host, port: this.target.port });
        upstream.setNoDelay(true);
        connection.upstream = upstream;
        const toUpstream = new Direction(upstream, this);
        const toClient = new Direction(client, this);
        connection.directions = [toUpstream, toClient];
        client.removeAllListeners('data');
        client.on('data', (data: Buffer) => toUpstream.push(data));
        for (const data of pending.splice(0)) toUpstream.push(data);
        if (clientEnded) toUpstream.end();
        client.on('end', () => toUpstream.end());
        upstream.on('data', (data: Buffer) => toClient.push(data));
        upstream.on('end', () => toClient.end());
        upstream.on('error', () => close());
        upstream.on('close', () => close());
      },
    };
    const close = () => {
      for (const direction of connection.directions) direction.destroy();
      client.destroy();
      connection.upstream?.destroy();
      this.connections.delete(connection);
    };
    client.on('error', () => close());
    client.on('close', () => close());
    this.connections.add(connection);
    if (this.current.kind === 'partition') {
      // As a SYN into a partition: the client waits and hears nothing until it heals.
      client.on('data', (data: Buffer) => pending.push(data));
      client.on('end', () => (clientEnded = true));
      return;
    }
    connection.connect();
  }
}
