/**
 * A real HTTP receiver on 127.0.0.1 for the emulator's webhook specs: records every request with its
 * RAW body, answers `status` (default 200). Not exported from the library index.
 */
import { createServer, IncomingHttpHeaders } from 'http';
import { AddressInfo } from 'net';

export interface ReceivedRequest {
  method: string;
  /** Path and query as requested, e.g. `/hooks/hover?src=test`. */
  url: string;
  headers: IncomingHttpHeaders;
  rawBody: string;
  /** Epoch ms of arrival. */
  at: number;
}

export interface WebhookReceiver {
  baseUrl: string;
  requests: ReceivedRequest[];
  /** Status answered to the next requests. */
  status: number;
  close(): Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const receiver = { requests: [] as ReceivedRequest[], status: 200 } as WebhookReceiver;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      receiver.requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, rawBody: Buffer.concat(chunks).toString('utf8'), at: Date.now() });
      res.statusCode = receiver.status;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  receiver.close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return receiver;
}
