// `buran inspect --serve`: the page over HTTP on 127.0.0.1 only. GET / is the
// page in live mode; GET /state.json is the current model, re-read from the
// store on every request (no lock, no repair), which the page polls.
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BuranError, isBuranError } from '../domain/errors.js';
import { type InspectSource, loadInspectModel } from './loadModel.js';
import { inspectorPage } from './page.js';

export interface ServeOptions {
  readonly runId: string;
  /** 0: any free port. */
  readonly port: number;
  readonly pollMs?: number;
}

export interface InspectorServer {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

const HOST = '127.0.0.1';

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, {
    'content-type': type,
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
  });
  res.end(body);
}

/**
 * Whether the request names this server by its loopback address. A page from
 * another site that rebinds its own name to 127.0.0.1 (DNS rebinding) sends
 * its own name as Host, so it is refused and cannot read the run.
 */
export function hostAllowed(host: string | undefined, port: number): boolean {
  return host === `${HOST}:${port}` || host === `localhost:${port}`;
}

async function handle(source: InspectSource, options: ServeOptions, port: number, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (!hostAllowed(req.headers.host, port)) return send(res, 421, 'text/plain; charset=utf-8', `use http://${HOST}:${port}/\n`);
  if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'text/plain; charset=utf-8', 'only GET\n');
  const path = new URL(req.url ?? '/', `http://${HOST}`).pathname;
  try {
    if (path === '/' || path === '/index.html') {
      const html = await inspectorPage(source, options.runId, { live: true, ...(options.pollMs === undefined ? {} : { pollMs: options.pollMs }) });
      return send(res, 200, 'text/html; charset=utf-8', html);
    }
    if (path === '/state.json') return send(res, 200, 'application/json; charset=utf-8', JSON.stringify(await loadInspectModel(source, options.runId)));
    return send(res, 404, 'text/plain; charset=utf-8', 'not found\n');
  } catch (error) {
    const body = isBuranError(error) ? error.toJSON() : { code: 'internal', message: error instanceof Error ? error.message : String(error) };
    return send(res, 500, 'application/json; charset=utf-8', JSON.stringify(body));
  }
}

function listen(server: Server, port: number): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(new BuranError({ code: 'invalid_input', message: `cannot listen on ${HOST}:${port}: ${error.message}`, details: { port, errno: error.code ?? null }, cause: error })),
    );
    server.listen(port, HOST, () => resolve(server.address() as AddressInfo));
  });
}

/** Serve the inspector of `runId` on 127.0.0.1. The run must exist (checked before listening). */
export async function serveInspector(source: InspectSource, options: ServeOptions): Promise<InspectorServer> {
  await loadInspectModel(source, options.runId);
  let port = options.port;
  const server = createServer((req, res) => {
    handle(source, options, port, req, res).catch((error: unknown) => {
      res.destroy(error instanceof Error ? error : new Error(String(error)));
    });
  });
  const address = await listen(server, options.port);
  port = address.port;
  return {
    url: `http://${HOST}:${address.port}/`,
    port: address.port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error === undefined ? resolve() : reject(error)));
        server.closeAllConnections();
      }),
  };
}
