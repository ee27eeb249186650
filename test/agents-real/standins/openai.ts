// A loopback stand-in of the OpenAI Responses API, enough for the real Codex
// CLI (`codex exec` with a custom provider whose wire_api is "responses"):
// `POST /v1/responses` answered as Responses SSE from a script. Test support code.
import type { ServerResponse } from 'node:http';
import { startRecordingServer, sse, type RecordedRequest, type Standin } from './recorder.js';

/** Token counts reported in `response.completed`; Codex copies them into `turn.completed`. */
export interface ResponsesUsage {
  readonly input_tokens: number;
  readonly cached_input_tokens?: number;
  readonly output_tokens: number;
  readonly reasoning_output_tokens?: number;
}

export type ResponsesReply =
  | { readonly kind: 'message'; readonly text: string; readonly usage: ResponsesUsage }
  /** A function call; `arguments` is serialized to the JSON string the API carries. */
  | { readonly kind: 'function_call'; readonly name: string; readonly arguments: Record<string, unknown>; readonly usage: ResponsesUsage }
  | { readonly kind: 'http_error'; readonly status: number; readonly errorType: string; readonly message: string }
  /** A 200 whose body is not a Responses event stream. */
  | { readonly kind: 'garbled' };

/** The parts of a Responses request the scripts look at. */
export interface ResponsesRequest {
  readonly model: string;
  readonly stream: boolean;
  readonly instructions: string;
  readonly input: readonly Record<string, unknown>[];
  readonly toolNames: readonly string[];
}

export type ResponsesScript = (request: ResponsesRequest, index: number) => ResponsesReply;

export function responsesRequest(recorded: RecordedRequest): ResponsesRequest {
  const body = (recorded.json ?? {}) as Record<string, unknown>;
  const tools = Array.isArray(body.tools) ? (body.tools as unknown[]) : [];
  return {
    model: typeof body.model === 'string' ? body.model : '',
    stream: body.stream === true,
    instructions: typeof body.instructions === 'string' ? body.instructions : '',
    input: Array.isArray(body.input) ? (body.input as Record<string, unknown>[]) : [],
    toolNames: tools.flatMap((t) => {
      if (t === null || typeof t !== 'object') return [];
      const tool = t as { name?: unknown; type?: unknown };
      return [typeof tool.name === 'string' ? tool.name : String(tool.type)];
    }),
  };
}

/** The `function_call_output` items in the request (tool results sent back), by call id. */
export function functionCallOutputs(request: ResponsesRequest): { callId: string; output: string }[] {
  return request.input.flatMap((item) =>
    item.type === 'function_call_output' ? [{ callId: String(item.call_id), output: typeof item.output === 'string' ? item.output : JSON.stringify(item.output) }] : [],
  );
}

/** All text of user messages in the request (the prompt and the context Codex adds). */
export function userInputText(request: ResponsesRequest): string {
  return request.input
    .filter((item) => item.type === 'message' && item.role === 'user')
    .flatMap((item) => (Array.isArray(item.content) ? (item.content as { text?: unknown }[]) : []))
    .map((part) => (typeof part.text === 'string' ? part.text : ''))
    .join('\n');
}

let counter = 0;
const nextId = (prefix: string): string => `${prefix}_standin_${String(++counter).padStart(6, '0')}`;

function streamReply(res: ServerResponse, model: string, reply: Extract<ResponsesReply, { kind: 'message' | 'function_call' }>): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  const id = nextId('resp');
  const base = { id, object: 'response', created_at: Math.floor(Date.now() / 1000), model };
  sse(res, 'response.created', { type: 'response.created', response: { ...base, status: 'in_progress', output: [] } });
  let item: Record<string, unknown>;
  if (reply.kind === 'message') {
    const itemId = nextId('msg');
    sse(res, 'response.output_item.added', { type: 'response.output_item.added', output_index: 0, item: { type: 'message', id: itemId, role: 'assistant', status: 'in_progress', content: [] } });
    const half = Math.ceil(reply.text.length / 2);
    for (const delta of [reply.text.slice(0, half), reply.text.slice(half)]) {
      if (delta.length > 0) sse(res, 'response.output_text.delta', { type: 'response.output_text.delta', item_id: itemId, output_index: 0, content_index: 0, delta });
    }
    item = { type: 'message', id: itemId, role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: reply.text, annotations: [] }] };
  } else {
    item = { type: 'function_call', id: nextId('fc'), call_id: nextId('call'), name: reply.name, arguments: JSON.stringify(reply.arguments), status: 'completed' };
    sse(res, 'response.output_item.added', { type: 'response.output_item.added', output_index: 0, item: { ...item, status: 'in_progress' } });
  }
  sse(res, 'response.output_item.done', { type: 'response.output_item.done', output_index: 0, item });
  const u = reply.usage;
  sse(res, 'response.completed', {
    type: 'response.completed',
    response: {
      ...base,
      status: 'completed',
      output: [item],
      usage: {
        input_tokens: u.input_tokens,
        input_tokens_details: { cached_tokens: u.cached_input_tokens ?? 0 },
        output_tokens: u.output_tokens,
        output_tokens_details: { reasoning_tokens: u.reasoning_output_tokens ?? 0 },
        total_tokens: u.input_tokens + u.output_tokens,
      },
    },
  });
  res.end();
}

export interface ResponsesStandin extends Standin {
  /** The POSTs to /v1/responses, parsed. */
  responses(): ResponsesRequest[];
}

export async function startResponsesStandin(script: ResponsesScript): Promise<ResponsesStandin> {
  let index = 0;
  const standin = await startRecordingServer((req, res) => {
    if (req.method === 'POST' && req.path === '/v1/responses') {
      const request = responsesRequest(req);
      const reply = script(request, index++);
      switch (reply.kind) {
        case 'http_error':
          res.writeHead(reply.status, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: { message: reply.message, type: reply.errorType, param: null, code: null } }));
          return;
        case 'garbled':
          res.writeHead(200, { 'content-type': 'text/event-stream' });
          res.end('event: response.created\ndata: {"type":"response.created","response":{\n\n<<not an event stream>>\n');
          return;
        default:
          streamReply(res, request.model, reply);
          return;
      }
    }
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: { message: `no route ${req.method} ${req.path}`, type: 'not_found' } }));
  });
  return {
    ...standin,
    responses: () => standin.requests.filter((r) => r.method === 'POST' && r.path === '/v1/responses').map(responsesRequest),
  };
}
