// A loopback stand-in of the Anthropic Messages API, enough for the real
// Claude Code client: `HEAD /` and `POST /v1/messages` (the `?beta=true` query
// is ignored), answered as Messages SSE from a script. Test support code.
import type { ServerResponse } from 'node:http';
import { startRecordingServer, sse, type RecordedRequest, type Standin } from './recorder.js';

/** Token counts the stand-in reports for one answer; the client derives its usage and cost from these. */
export interface TurnUsage {
  readonly input_tokens: number;
  readonly output_tokens: number;
  readonly cache_creation_input_tokens?: number;
  readonly cache_read_input_tokens?: number;
}

/** What the stand-in answers to one request. */
export type AnthropicReply =
  | { readonly kind: 'text'; readonly text: string; readonly usage: TurnUsage }
  | { readonly kind: 'tool_use'; readonly name: string; readonly input: Record<string, unknown>; readonly text?: string; readonly usage: TurnUsage }
  /** An API error as the real service shapes it: `{type: "error", error: {type, message}}`. */
  | { readonly kind: 'http_error'; readonly status: number; readonly errorType: string; readonly message: string }
  /** A 200 with a body that is neither SSE nor JSON, for the stream and for the client's non-streaming retry. */
  | { readonly kind: 'garbled' };

/** The parts of a Messages request the scripts look at. */
export interface MessagesRequest {
  readonly model: string;
  readonly stream: boolean;
  readonly system: string;
  readonly messages: readonly { readonly role: string; readonly content: unknown }[];
  readonly toolNames: readonly string[];
}

/** `index` counts the POSTs to /v1/messages, from 0. */
export type AnthropicScript = (request: MessagesRequest, index: number) => AnthropicReply;

function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(textOf).join('\n');
  if (value !== null && typeof value === 'object') {
    const v = value as Record<string, unknown>;
    if (typeof v.text === 'string') return v.text;
    if ('content' in v) return textOf(v.content);
  }
  return '';
}

/** Reads the fields the scripts need from a recorded request body. */
export function messagesRequest(recorded: RecordedRequest): MessagesRequest {
  const body = (recorded.json ?? {}) as Record<string, unknown>;
  const tools = Array.isArray(body.tools) ? (body.tools as unknown[]) : [];
  const messages = Array.isArray(body.messages) ? (body.messages as { role: string; content: unknown }[]) : [];
  return {
    model: typeof body.model === 'string' ? body.model : '',
    stream: body.stream === true,
    system: textOf(body.system),
    messages,
    toolNames: tools.flatMap((t) => (t !== null && typeof t === 'object' && typeof (t as { name?: unknown }).name === 'string' ? [(t as { name: string }).name] : [])),
  };
}

/** The absolute working directory Claude Code names in its system prompt. */
export function primaryWorkingDirectory(request: MessagesRequest): string | null {
  const match = /Primary working directory: (\S.*)$/m.exec(request.system);
  return match?.[1]?.trim() ?? null;
}

/** Whether the newest user message carries a tool result (a tool ran since the last answer). */
export function hasToolResult(request: MessagesRequest): boolean {
  const last = request.messages.at(-1);
  return Array.isArray(last?.content) && last.content.some((block) => (block as { type?: unknown }).type === 'tool_result');
}

/** All text the client sent in user messages (the prompt, tool results). */
export function userText(request: MessagesRequest): string {
  return request.messages.filter((m) => m.role === 'user').map((m) => textOf(m.content)).join('\n');
}

let idCounter = 0;
const nextId = (prefix: string): string => `${prefix}_standin_${String(++idCounter).padStart(6, '0')}`;

function streamReply(res: ServerResponse, model: string, reply: Extract<AnthropicReply, { kind: 'text' | 'tool_use' }>): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  const usage = reply.usage;
  sse(res, 'message_start', {
    type: 'message_start',
    message: {
      id: nextId('msg'),
      type: 'message',
      role: 'assistant',
      model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: {
        input_tokens: usage.input_tokens,
        output_tokens: 1,
        cache_creation_input_tokens: usage.cache_creation_input_tokens ?? 0,
        cache_read_input_tokens: usage.cache_read_input_tokens ?? 0,
      },
    },
  });
  let index = 0;
  const text = reply.kind === 'text' ? reply.text : reply.text;
  if (text !== undefined) {
    sse(res, 'content_block_start', { type: 'content_block_start', index, content_block: { type: 'text', text: '' } });
    // Two deltas, so the client has to join them.
    const half = Math.ceil(text.length / 2);
    for (const piece of [text.slice(0, half), text.slice(half)]) {
      if (piece.length > 0) sse(res, 'content_block_delta', { type: 'content_block_delta', index, delta: { type: 'text_delta', text: piece } });
    }
    sse(res, 'content_block_stop', { type: 'content_block_stop', index });
    index += 1;
  }
  if (reply.kind === 'tool_use') {
    sse(res, 'content_block_start', { type: 'content_block_start', index, content_block: { type: 'tool_use', id: nextId('toolu'), name: reply.name, input: {} } });
    const json = JSON.stringify(reply.input);
    const cut = Math.floor(json.length / 2);
    for (const piece of [json.slice(0, cut), json.slice(cut)]) {
      sse(res, 'content_block_delta', { type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: piece } });
    }
    sse(res, 'content_block_stop', { type: 'content_block_stop', index });
  }
  sse(res, 'message_delta', {
    type: 'message_delta',
    delta: { stop_reason: reply.kind === 'tool_use' ? 'tool_use' : 'end_turn', stop_sequence: null },
    usage: { output_tokens: usage.output_tokens },
  });
  sse(res, 'message_stop', { type: 'message_stop' });
  res.end();
}

export interface AnthropicStandin extends Standin {
  /** The POSTs to /v1/messages, parsed. */
  messages(): MessagesRequest[];
}

/** Starts the stand-in on 127.0.0.1 with a random port. */
export async function startAnthropicStandin(script: AnthropicScript): Promise<AnthropicStandin> {
  let index = 0;
  const standin = await startRecordingServer((req, res) => {
    if (req.method === 'POST' && req.path === '/v1/messages') {
      const request = messagesRequest(req);
      const reply = script(request, index++);
      switch (reply.kind) {
        case 'http_error':
          res.writeHead(reply.status, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ type: 'error', error: { type: reply.errorType, message: reply.message } }));
          return;
        case 'garbled':
          res.writeHead(200, { 'content-type': request.stream ? 'text/event-stream' : 'application/json' });
          res.end('event: message_start\ndata: {"type":"message_start","message":{"id":\n\n<<not an event stream>>\n');
          return;
        default:
          streamReply(res, request.model, reply);
          return;
      }
    }
    // HEAD / (a connectivity probe) and anything else: 404 is enough for the client.
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(req.method === 'HEAD' ? undefined : JSON.stringify({ type: 'error', error: { type: 'not_found_error', message: `no route ${req.method} ${req.path}` } }));
  });
  return {
    ...standin,
    messages: () => standin.requests.filter((r) => r.method === 'POST' && r.path === '/v1/messages').map(messagesRequest),
  };
}
