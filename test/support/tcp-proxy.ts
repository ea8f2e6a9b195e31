import * as net from 'net';

/**
 * What the proxy does to a broker's Redis link:
 * - pass: forwards both ways;
 * - reset: destroys every connection with a TCP RST, and resets new ones as they arrive;
 * - blackhole: accepts and keeps connections open but forwards nothing (held bytes go through
 *   once the link passes again, as TCP retransmission would deliver them after a partition);
 * - delay: forwards both ways after `delayMs`;
 * - dropReplies: forwards requests, but the first byte of a reply destroys the connection, so
 *   Redis executes the command and the client never learns the outcome.
 */
export type ProxyMode = 'pass' | 'reset' | 'blackhole' | 'delay' | 'dropReplies';

interface Link {
  client: net.Socket;
  upstream: net.Socket;
  /** bytes held while blackholed, in arrival order per direction */
  held: { toUpstream: Buffer[]; toClient: Buffer[] };
}

/** A TCP proxy in front of one server (here a redis-server), whose behaviour a test switches at will. */
export class TcpProxy {
  private mode: ProxyMode = 'pass';
  private delayMs = 0;
  private readonly links = new Set<Link>();

  private constructor(
    private readonly server: net.Server,
    readonly port: number,
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {
    server.on('connection', (client) => this.accept(client));
  }

  static async start(targetPort: number, targetHost = '127.0.0.1'): Promise<TcpProxy> {
    const server = net.createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const port = (server.address() as net.AddressInfo).port;
    return new TcpProxy(server, port, targetHost, targetPort);
  }

  get redisUrl(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get currentMode(): ProxyMode {
    return this.mode;
  }

  get connectionCount(): number {
    return this.links.size;
  }

  pass(): void {
    this.mode = 'pass';
    for (const l of this.links) this.flushHeld(l);
  }

  reset(): void {
    this.mode = 'reset';
    for (const l of [...this.links]) this.destroy(l);
  }

  blackhole(): void {
    this.mode = 'blackhole';
  }

  delay(ms: number): void {
    this.mode = 'delay';
    this.delayMs = ms;
    for (const l of this.links) this.flushHeld(l);
  }

  dropReplies(): void {
    this.mode = 'dropReplies';
  }

  async close(): Promise<void> {
    for (const l of [...this.links]) this.destroy(l);
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: net.Socket): void {
    if (this.mode === 'reset') {
      client.resetAndDestroy();
      return;
    }
    const upstream = net.connect(this.targetPort, this.targetHost);
    const link: Link = { client, upstream, held: { toUpstream: [], toClient: [] } };
    this.links.add(link);
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    client.on('data', (d: Buffer) => this.forward(link, d, 'toUpstream'));
    upstream.on('data', (d: Buffer) => this.forward(link, d, 'toClient'));
    const end = () => this.destroy(link);
    client.on('error', end);
    upstream.on('error', end);
    client.on('close', end);
    upstream.on('close', end);
  }

  private forward(link: Link, data: Buffer, direction: 'toUpstream' | 'toClient'): void {
    if (!this.links.has(link)) return;
    const target = direction === 'toUpstream' ? link.upstream : link.client;
    switch (this.mode) {
      case 'pass':
        target.write(data);
        return;
      case 'reset':
        this.destroy(link);
        return;
      case 'blackhole':
        link.held[direction].push(data);
        return;
      case 'delay':
        setTimeout(() => {
          if (this.links.has(link)) target.write(data);
        }, this.delayMs);
        return;
      case 'dropReplies':
        if (direction === 'toUpstream') target.write(data);
        else this.destroy(link);
        return;
    }
  }

  private flushHeld(link: Link): void {
    for (const d of link.held.toUpstream) link.upstream.write(d);
    for (const d of link.held.toClient) link.client.write(d);
    link.held.toUpstream = [];
    link.held.toClient = [];
  }

  private destroy(link: Link): void {
    if (!this.links.delete(link)) return;
    if (!link.client.destroyed) link.client.resetAndDestroy();
    if (!link.upstream.destroyed) link.upstream.destroy();
  }
}
