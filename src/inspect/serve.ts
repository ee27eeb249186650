// `buran inspect --serve`: the page over HTTP on 127.0.0.1 only, under a
// random path (`/<token>/`) printed to the operator: another process of the
// machine — a worker, whose sandbox shares the network by default — cannot
// read the run without it. GET /<token>/ is the page in live mode; GET
// /<token>/state.json is the current model, re-read from the store on every
// request (no lock, no repair), which the page polls (a relative URL).
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import { randomBytes, timingSafeEqual } from 'node:crypto';
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

/** The path below `/<token>` when the request names the token, else null (compared in constant time). */
export function pathUnderToken(pathname: string, token: string): string | null {
  const prefix = `/${token}`;
  const given = Buffer.from(pathname.slice(0, prefix.length));
  const wanted = Buffer.from(prefix);
  if (given.length !== wanted.length || !timingSafeEqual(given, wanted)) return null;
  const rest = pathname.slice(prefix.length);
  return rest === '' ? '/' : rest.startsWith('/') ? rest : null;
}

async function handle(source: InspectSource, options: ServeOptions, port: number, token: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (!hostAllowed(req.headers.host, port)) return send(res, 421, 'text/plain; charset=utf-8', `use http://${HOST}:${port}/ with the path buran printed\n`);
  if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'text/plain; charset=utf-8', 'only GET\n');
  const path = pathUnderToken(new URL(req.url ?? '/', `http://${HOST}`).pathname, token);
  if (path === null) return send(res, 404, 'text/plain; charset=utf-8', 'not found: use the address buran inspect --serve printed\n');
  // The page's relative `state.json` must resolve under the token: /<token> is sent on to /<token>/.
  if (path === '/' && !(req.url ?? '').split('?')[0]?.endsWith('/')) {
    res.writeHead(308, { location: `/${token}/`, 'cache-control': 'no-store' });
    res.end();
    return;
  }
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
  const token = randomBytes(18).toString('base64url');
  const server = createServer((req, res) => {
    handle(source, options, port, token, req, res).catch((error: unknown) => {
      res.destroy(error instanceof Error ? error : new Error(String(error)));
    });
  });
  const address = await listen(server, options.port);
  port = address.port;
  return {
    url: `http://${HOST}:${address.port}/${token}/`,
    port: address.port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error === undefined ? resolve() : reject(error)));
        server.closeAllConnections();
      }),
  };
}
