import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy between a store's client and Redis, to cause outages without touching the shared Redis (other test
 * files use it at the same time). `cut` drops every connection and stops listening (connections are refused, as
 * with a stopped Redis); `hold` keeps connections up but stops forwarding commands (a Redis that does not answer);
 * `restore` listens and forwards again, held commands first.
 */
export class TcpProxy {
  private mode: 'open' | 'cut' | 'hold' = 'open';
  private readonly sockets = new Set<Socket>();
  private held: Array<() => void> = [];

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(target: { host: string; port: number }): Promise<TcpProxy> {
    let proxy: TcpProxy | undefined;
    const server = createServer((client) => proxy?.accept(client, target));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('proxy has no port');
    proxy = new TcpProxy(server, address.port);
    return proxy;
  }

  /** `url` with its host and port replaced by the proxy's (credentials and database kept). */
  urlFor(url: string): string {
    const parsed = new URL(url);
    parsed.hostname = '127.0.0.1';
    parsed.port = String(this.port);
    return parsed.toString();
  }

  cut(): void {
    if (this.mode !== 'cut') this.server.close();
    this.mode = 'cut';
    this.held = [];
    for (const socket of this.sockets) socket.destroy();
  }

  hold(): void {
    this.mode = 'hold';
  }

  async restore(): Promise<void> {
    if (this.mode === 'cut') {
      await new Promise<void>((resolve, reject) => {
        this.server.once('error', reject);
        this.server.listen(this.port, '127.0.0.1', () => {
          this.server.off('error', reject);
          resolve();
        });
      });
    }
    const held = this.held;
    this.held = [];
    for (const write of held) write();
    this.mode = 'open';
  }

  async close(): Promise<void> {
    const listening = this.mode !== 'cut';
    this.cut();
    if (listening) await new Promise<void>((resolve) => this.server.once('close', () => resolve()));
  }

  private accept(client: Socket, target: { host: string; port: number }): void {
    if (this.mode === 'cut') {
      client.destroy();
      return;
    }
    const upstream = connect(target);
    this.sockets.add(client);
    this.sockets.add(upstream);
    client.on('data', (chunk) => {
      const write = () => {
        if (!upstream.destroyed) upstream.write(chunk);
      };
      if (this.mode === 'hold') this.held.push(write);
      else write();
    });
    upstream.on('data', (chunk) => {
      if (!client.destroyed) client.write(chunk);
    });
    const end = () => {
      client.destroy();
      upstream.destroy();
      this.sockets.delete(client);
      this.sockets.delete(upstream);
    };
    for (const socket of [client, upstream]) {
      socket.on('close', end);
      socket.on('error', end);
    }
  }
}
