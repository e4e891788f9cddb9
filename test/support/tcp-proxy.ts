import { createServer, connect, Server, Socket } from 'node:net';

type Pair = { client: Socket; upstream: Socket | null; forwarding: boolean };

/**
 * A loopback TCP proxy in front of the database, so a test can cut the app off from PostgreSQL
 * (every connection dropped, new ones refused at once), black-hole it (connections stay open
 * and are accepted, but nothing arrives either way, as when a network drops packets without a
 * reset), and then restore it.
 */
export class TcpProxy {
  private readonly sockets = new Set<Socket>();
  private readonly pairs = new Set<Pair>();
  private readonly server: Server;
  private open = true;
  private blackHoled = false;
  port = 0;
  /** Connections the proxy was asked for, refused ones included. */
  attempts = 0;

  private constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {
    this.server = createServer((client) => this.accept(client));
  }

  /** A proxy in front of the database of `databaseUrl`. */
  static async start(databaseUrl: string): Promise<TcpProxy> {
    const target = new URL(databaseUrl);
    const proxy = new TcpProxy(target.hostname, Number(target.port || 5432));
    await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve));
    proxy.port = (proxy.server.address() as { port: number }).port;
    return proxy;
  }

  /** The same database URL, through the proxy. */
  urlFor(databaseUrl: string): string {
    const url = new URL(databaseUrl);
    url.hostname = '127.0.0.1';
    url.port = String(this.port);
    return url.toString();
  }

  /** Drops every connection and refuses new ones: the database is gone. */
  cut(): void {
    this.open = false;
    for (const socket of this.sockets) socket.destroy();
  }

  /**
   * Packets vanish: every open connection stops forwarding for good (its owed answers never
   * come, even after restore), and new connections are accepted but go nowhere.
   */
  blackHole(): void {
    this.blackHoled = true;
    for (const pair of this.pairs) pair.forwarding = false;
  }

  /** New connections work again; connections black-holed before stay silent. */
  restore(): void {
    this.open = true;
    this.blackHoled = false;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private track(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => undefined);
  }

  /** Sockets still open on either side. */
  get openSockets(): number {
    return this.sockets.size;
  }

  private accept(client: Socket): void {
    this.attempts += 1;
    if (!this.open) {
      client.destroy();
      return;
    }
    this.track(client);
    const pair: Pair = { client, upstream: null, forwarding: !this.blackHoled };
    if (!pair.forwarding) {
      // Accepted, then silence: the client's bytes are read and dropped.
      client.on('data', () => undefined);
      return;
    }
    const upstream = connect(this.targetPort, this.targetHost);
    pair.upstream = upstream;
    this.track(upstream);
    this.pairs.add(pair);
    client.on('data', (chunk) => pair.forwarding && upstream.write(chunk));
    upstream.on('data', (chunk) => pair.forwarding && client.write(chunk));
    client.on('end', () => pair.forwarding && upstream.end());
    upstream.on('end', () => pair.forwarding && client.end());
    client.on('close', () => {
      this.pairs.delete(pair);
      upstream.destroy();
    });
    upstream.on('close', () => {
      // A black-holed peer's close never reaches the other side either.
      if (pair.forwarding) client.destroy();
    });
  }
}
