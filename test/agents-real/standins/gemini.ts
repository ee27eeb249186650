// A loopback stand-in of the Gemini API (generateContent and
// streamGenerateContent), for the real Gemini CLI pointed at it with
// GOOGLE_GEMINI_BASE_URL. Test support code.
import type { ServerResponse } from 'node:http';
import { startRecordingServer, type RecordedRequest, type Standin } from './recorder.js';

export interface GeminiUsage {
  readonly promptTokenCount: number;
  readonly candidatesTokenCount: number;
  readonly cachedContentTokenCount?: number;
  readonly thoughtsTokenCount?: number;
}

export type GeminiReply =
  | { readonly kind: 'text'; readonly text: string; readonly usage: GeminiUsage }
  | { readonly kind: 'function_call'; readonly name: string; readonly args: Record<string, unknown>; readonly usage: GeminiUsage }
  | { readonly kind: 'http_error'; readonly status: number; readonly errorStatus: string; readonly message: string }
  | { readonly kind: 'garbled' };

/** The parts of a generateContent request the scripts look at. */
export interface GenerateRequest {
  /** From the path: `/v1beta/models/<model>:<method>`. */
  readonly model: string;
  readonly method: string;
  readonly contents: readonly { readonly role?: string; readonly parts?: readonly Record<string, unknown>[] }[];
  readonly systemText: string;
  readonly toolNames: readonly string[];
}

export type GeminiScript = (request: GenerateRequest, index: number) => GeminiReply;

export function generateRequest(recorded: RecordedRequest): GenerateRequest {
  const match = /\/models\/([^/:]+):(\w+)$/.exec(recorded.path);
  const body = (recorded.json ?? {}) as Record<string, unknown>;
  const system = body.systemInstruction as { parts?: { text?: string }[] } | undefined;
  const tools = Array.isArray(body.tools) ? (body.tools as { functionDeclarations?: { name?: string }[] }[]) : [];
  return {
    model: match?.[1] ?? '',
    method: match?.[2] ?? '',
    contents: Array.isArray(body.contents) ? (body.contents as GenerateRequest['contents']) : [],
    systemText: (system?.parts ?? []).map((p) => p.text ?? '').join('\n'),
    toolNames: tools.flatMap((t) => (t.functionDeclarations ?? []).map((d) => d.name ?? '')),
  };
}

/** Whether the newest content carries a function response (a tool ran). */
export function hasFunctionResponse(request: GenerateRequest): boolean {
  const last = request.contents.at(-1);
  return (last?.parts ?? []).some((part) => 'functionResponse' in part);
}

function chunk(reply: Extract<GeminiReply, { kind: 'text' | 'function_call' }>, model: string): Record<string, unknown> {
  const part = reply.kind === 'text' ? { text: reply.text } : { functionCall: { name: reply.name, args: reply.args } };
  const u = reply.usage;
  return {
    candidates: [{ content: { role: 'model', parts: [part] }, finishReason: 'STOP', index: 0 }],
    usageMetadata: { ...u, totalTokenCount: u.promptTokenCount + u.candidatesTokenCount + (u.thoughtsTokenCount ?? 0) },
    modelVersion: model,
    responseId: `standin-${Date.now()}`,
  };
}

function answer(res: ServerResponse, request: GenerateRequest, reply: GeminiReply): void {
  switch (reply.kind) {
    case 'http_error':
      res.writeHead(reply.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: reply.status, message: reply.message, status: reply.errorStatus } }));
      return;
    case 'garbled':
      res.writeHead(200, { 'content-type': request.method === 'streamGenerateContent' ? 'text/event-stream' : 'application/json' });
      res.end('data: {"candidates":[{"content":\n\n<<not an event stream>>\n');
      return;
    default:
      if (request.method === 'streamGenerateContent') {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write(`data: ${JSON.stringify(chunk(reply, request.model))}\r\n\r\n`);
        res.end();
      } else {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(chunk(reply, request.model)));
      }
  }
}

export interface GeminiStandin extends Standin {
  generations(): GenerateRequest[];
}

export async function startGeminiStandin(script: GeminiScript): Promise<GeminiStandin> {
  let index = 0;
  const isGeneration = (r: RecordedRequest): boolean => r.method === 'POST' && /:(stream)?[gG]enerateContent$/.test(r.path);
  const standin = await startRecordingServer((req, res) => {
    if (isGeneration(req)) {
      const request = generateRequest(req);
      answer(res, request, script(request, index++));
      return;
    }
    if (req.method === 'POST' && req.path.endsWith(':countTokens')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ totalTokens: Math.ceil(req.body.length / 4) }));
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: { code: 404, message: `no route ${req.method} ${req.path}`, status: 'NOT_FOUND' } }));
  });
  return { ...standin, generations: () => standin.requests.filter(isGeneration).map(generateRequest) };
}
