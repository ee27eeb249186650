// Shared plumbing for the loopback stand-ins of model APIs: a node:http server
// on 127.0.0.1 that keeps every request it receives, so tests can assert what
// the real client sent.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the stand-in received it; `json` is the parsed body, or null when it is not JSON. */
export interface RecordedRequest {
  readonly method: string;
  /** The path without the query string. */
  readonly path: string;
  readonly query: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
  readonly json: unknown;
}

export type RequestHandler = (req: RecordedRequest, res: ServerResponse) => void;

export interface Standin {
  /** `http://127.0.0.1:<port>` (no trailing slash). */
  readonly url: string;
  readonly requests: readonly RecordedRequest[];
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseJson(text: string): unknown {
  if (text.length === 0) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null; // not JSON: kept as text in `body`
  }
}

/** Starts a loopback server that records each request, then hands it to `handle`. */
export async function startRecordingServer(handle: RequestHandler): Promise<Standin> {
  const requests: RecordedRequest[] = [];
  const server: Server = createServer((req, res) => {
    readBody(req).then(
      (body) => {
        const [path = '/', query = ''] = (req.url ?? '/').split('?', 2);
        const recorded: RecordedRequest = { method: req.method ?? 'GET', path, query, headers: req.headers, body, json: parseJson(body) };
        requests.push(recorded);
        try {
          handle(recorded, res);
        } catch (error) {
          res.writeHead(500, { 'content-type': 'text/plain' });
          res.end(`stand-in failed: ${String(error)}`);
        }
      },
      (error: unknown) => {
        res.writeHead(400, { 'content-type': 'text/plain' });
        res.end(`could not read the request: ${String(error)}`);
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/** Writes one server-sent event. */
export function sse(res: ServerResponse, event: string, data: unknown): void {
  res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}
