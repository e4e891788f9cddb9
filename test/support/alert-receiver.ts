import { createServer, IncomingHttpHeaders, Server } from 'node:http';
import { AddressInfo } from 'node:net';

export type ReceivedAlert = Readonly<{
  deliveryId: string;
  signature: string | null;
  rawBody: string;
  payload: Record<string, unknown> & { id: string };
  answered: number;
  headers: IncomingHttpHeaders;
}>;

/**
 * A webhook receiver on 127.0.0.1 (random port) that counts what flagdog's alert outbox sends,
 * per `X-Flagdog-Delivery`. It answers 500 to the first `failFirst` requests, then 200.
 */
export class AlertReceiver {
  /** Every request, in arrival order, with the status it was answered. */
  readonly requests: ReceivedAlert[] = [];
  private server: Server | null = null;
  private port = 0;

  private constructor(
    private readonly failFirst: number,
    private readonly delayMs: number,
  ) {}

  static async start(options: { failFirst?: number; delayMs?: number } = {}): Promise<AlertReceiver> {
    const receiver = new AlertReceiver(options.failFirst ?? 0, options.delayMs ?? 0);
    receiver.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const rawBody = Buffer.concat(chunks).toString('utf8');
        const answered = receiver.requests.length < receiver.failFirst ? 500 : 200;
        receiver.requests.push({
          deliveryId: String(req.headers['x-flagdog-delivery'] ?? ''),
          signature: (req.headers['x-flagdog-signature'] as string | undefined) ?? null,
          rawBody,
          payload: JSON.parse(rawBody),
          answered,
          headers: req.headers,
        });
        setTimeout(
          () => res.writeHead(answered, { 'content-type': 'text/plain' }).end(answered === 200 ? 'ok' : 'boom'),
          receiver.delayMs,
        );
      });
    });
    await new Promise<void>((resolve) => receiver.server!.listen(0, '127.0.0.1', resolve));
    receiver.port = (receiver.server.address() as AddressInfo).port;
    return receiver;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/hooks/flagdog`;
  }

  /** Acknowledged (2xx) deliveries, one entry per request answered 200. */
  acknowledged(): ReceivedAlert[] {
    return this.requests.filter((request) => request.answered === 200);
  }

  /** How many times each delivery id was acknowledged. */
  acknowledgedPerDelivery(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const { deliveryId } of this.acknowledged()) counts.set(deliveryId, (counts.get(deliveryId) ?? 0) + 1);
    return counts;
  }

  /** Waits (at most `timeoutMs`) for an acknowledged delivery about this checkpoint. */
  async waitFor(checkpointId: string, timeoutMs = 15_000): Promise<ReceivedAlert> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.acknowledged().find((request) => request.payload.id === checkpointId);
      if (found) return found;
      if (Date.now() > deadline)
        throw new Error(`No alert delivered for checkpoint ${checkpointId} within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
