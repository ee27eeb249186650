// A real HTTP server on 127.0.0.1 for notification tests: records every
// request body and answers with the next status of a script (then 200).
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Loopback {
  readonly url: string;
  readonly bodies: string[];
  readonly headers: Record<string, string | string[] | undefined>[];
  close(): Promise<void>;
}

export async function loopback(statuses: readonly number[] = []): Promise<Loopback> {
  const script = [...statuses];
  const bodies: string[] = [];
  const headers: Loopback['headers'] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (c: string) => (body += c));
    req.on('end', () => {
      bodies.push(body);
      headers.push({ ...req.headers, method: req.method, path: req.url });
      res.writeHead(script.shift() ?? 200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/T0SECRET/path`,
    bodies,
    headers,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
