/**
 * A local fake of Slack for tests: the Web API (`/api/<method>`, form or JSON bodies, bearer
 * token), file uploads (`files.getUploadURLExternal` → upload → `files.completeUploadExternal`),
 * and Socket Mode (`apps.connections.open` gives a `ws://127.0.0.1` URL whose server says
 * `hello`, sends envelopes and waits for `{ envelope_id }` acks). HTTP-mode requests to the app
 * are signed for real with {@link signedPost}.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';
import { slackSignature } from '../../../src/channels/slack/slack-signing.js';

export interface SlackCall {
  method: string;
  args: Record<string, unknown>;
  /** ms since the epoch when the fake received it. */
  at: number;
}

export interface PostedMessage {
  channel: string;
  ts: string;
  thread_ts?: string;
  text: string;
  blocks?: unknown[];
  /** Every text this message had, for `chat.update`. */
  history: string[];
  reactions: string[];
}

export interface UploadedFile {
  id: string;
  filename: string;
  bytes: Buffer;
  channel?: string;
  thread_ts?: string;
}

type Failure = { status: 429; retryAfter: number } | { status: 200; error: string } | { status: 500 };

export const FAKE_TEAM = 'T0FAKE';
export const FAKE_BOT_USER = 'UBOT0001';

export class FakeSlack {
  readonly calls: SlackCall[] = [];
  readonly messages: PostedMessage[] = [];
  readonly ephemerals: Array<{ channel: string; user: string; text: string }> = [];
  readonly files: UploadedFile[] = [];
  /** What the app answered to slash commands through their `response_url`. */
  readonly responses: Array<{ text: string; response_type?: string }> = [];
  /** Files a technician "attached" in Slack, served at `/files/<id>` with the bot token. */
  readonly hostedFiles = new Map<string, { bytes: Buffer; mimetype: string; name: string }>();
  readonly users = new Map<string, { display_name: string; real_name: string }>();
  readonly botToken = 'xoxb-fake-bot-token';
  readonly appToken = 'xapp-fake-app-token';
  readonly signingSecret = 'fake-signing-secret-0123456789';
  private readonly failures = new Map<string, Failure[]>();
  private readonly sockets = new Set<WebSocket>();
  private readonly pendingAcks = new Map<string, (payload: unknown) => void>();
  private server!: Server;
  private wss!: WebSocketServer;
  private tsCounter = 0;
  private idCounter = 0;
  url = '';

  /** `http://127.0.0.1:port/api/`, the `slackApiUrl` to give the client. */
  get apiUrl(): string {
    return `${this.url}/api/`;
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        res.writeHead(500).end(String(error));
      });
    });
    this.wss = new WebSocketServer({ server: this.server, path: '/socket' });
    this.wss.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      socket.on('message', (data) => {
        const ack = JSON.parse(String(data)) as { envelope_id?: string; payload?: unknown };
        if (ack.envelope_id) this.pendingAcks.get(ack.envelope_id)?.(ack.payload);
      });
      socket.send(
        JSON.stringify({
          type: 'hello',
          num_connections: 1,
          debug_info: { approximate_connection_time: 3600 },
        }),
      );
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.terminate();
    await new Promise((resolve) => this.wss.close(resolve));
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  /** The next `times` calls of `method` fail this way. */
  failNext(method: string, failure: Failure, times = 1): void {
    const list = this.failures.get(method) ?? [];
    for (let i = 0; i < times; i += 1) list.push(failure);
    this.failures.set(method, list);
  }

  callsOf(method: string): SlackCall[] {
    return this.calls.filter((call) => call.method === method);
  }

  /** Socket Mode clients connected now. */
  get connectedSockets(): number {
    return this.sockets.size;
  }

  /** Sends one Socket Mode envelope; resolves with the ack's payload when the app acks it. */
  sendEnvelope(
    type: 'events_api' | 'interactive' | 'slash_commands',
    payload: unknown,
    options: { retryAttempt?: number; envelopeId?: string } = {},
  ): Promise<unknown> {
    const envelopeId = options.envelopeId ?? `env-${++this.idCounter}`;
    const socket = [...this.sockets][0];
    if (!socket) return Promise.reject(new Error('no Socket Mode client connected'));
    const acked = new Promise<unknown>((resolve) => this.pendingAcks.set(envelopeId, resolve));
    socket.send(
      JSON.stringify({
        envelope_id: envelopeId,
        type,
        payload,
        accepts_response_payload: type !== 'events_api',
        retry_attempt: options.retryAttempt ?? 0,
        retry_reason: options.retryAttempt ? 'timeout' : '',
      }),
    );
    return acked;
  }

  /** Resolves with the ack's payload when the app acks `envelopeId` (for a message sent by {@link sendSocketText}). */
  acked(envelopeId: string): Promise<unknown> {
    return new Promise<unknown>((resolve) => this.pendingAcks.set(envelopeId, resolve));
  }

  /** Sends one WebSocket message as is (not an envelope; bytes go as a binary frame): what a broken peer might send. */
  sendSocketText(text: string | Uint8Array): void {
    const socket = [...this.sockets][0];
    if (!socket) throw new Error('no Socket Mode client connected');
    socket.send(text);
  }

  /** A message a person wrote in Slack (the app learns of it by an event the test sends). */
  userMessage(input: { channel: string; user: string; text: string; thread_ts?: string }): PostedMessage {
    const message: PostedMessage = { ...input, ts: this.nextTs(), history: [input.text], reactions: [] };
    this.messages.push(message);
    return message;
  }

  /**
   * A file a person attached in Slack: hosted at its `url_private` (bot token required), and
   * described as a message event's `files` entry describes it.
   */
  hostFile(name: string, bytes: Buffer, mimetype: string): Record<string, unknown> {
    const id = `F${++this.idCounter}`;
    this.hostedFiles.set(id, { bytes, mimetype, name });
    return { id, name, mimetype, size: bytes.length, url_private: `${this.url}/files/${id}` };
  }

  /** A `response_url` for a slash command, recorded in {@link responses}. */
  responseUrl(): string {
    return `${this.url}/respond/${++this.idCounter}`;
  }

  /** The fake's messages in the thread of `threadTs`, oldest first. */
  thread(threadTs: string): PostedMessage[] {
    return this.messages.filter((m) => m.thread_ts === threadTs);
  }

  /** A new message ts, increasing like Slack's. */
  nextTs(): string {
    this.tsCounter += 1;
    return `1767225600.${String(this.tsCounter).padStart(6, '0')}`;
  }

  /** Waits until `predicate` holds (polling every 20 ms), or throws after `timeoutMs`. */
  async waitFor<T>(
    predicate: () => T | undefined | false | Promise<T | undefined | false>,
    timeoutMs = 10_000,
    intervalMs = 20,
  ): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await predicate();
      if (value) return value;
      if (Date.now() > deadline) throw new Error('fake Slack: condition not met in time');
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    const url = new URL(req.url ?? '/', this.url);
    if (url.pathname.startsWith('/upload/')) {
      const file = this.files.find((f) => f.id === url.pathname.slice('/upload/'.length));
      if (file) file.bytes = uploadedBytes(raw, req.headers['content-type']);
      res.writeHead(file ? 200 : 404).end('OK');
      return;
    }
    if (url.pathname.startsWith('/respond/')) {
      this.responses.push(JSON.parse(raw.toString('utf8')) as { text: string; response_type?: string });
      res.writeHead(200).end('ok');
      return;
    }
    if (url.pathname.startsWith('/files/')) {
      const hosted = this.hostedFiles.get(url.pathname.slice('/files/'.length));
      if (!hosted || req.headers.authorization !== `Bearer ${this.botToken}`) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-type': hosted.mimetype }).end(hosted.bytes);
      return;
    }
    const method = url.pathname.replace(/^\/api\//, '');
    const args = parseArgs(raw.toString('utf8'), req.headers['content-type']);
    const auth = req.headers.authorization ?? (args.token ? `Bearer ${String(args.token)}` : '');
    const expected = method === 'apps.connections.open' ? this.appToken : this.botToken;
    if (auth !== `Bearer ${expected}`) return json(res, 200, { ok: false, error: 'invalid_auth' });
    this.calls.push({ method, args, at: Date.now() });
    const failure = this.failures.get(method)?.shift();
    if (failure?.status === 429) {
      res.writeHead(429, { 'retry-after': String(failure.retryAfter), 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok: false, error: 'ratelimited' }));
      return;
    }
    if (failure?.status === 500) return json(res, 500, { ok: false, error: 'internal_error' });
    if (failure) return json(res, 200, { ok: false, error: failure.error });
    json(res, 200, this.answer(method, args));
  }

  private answer(method: string, args: Record<string, unknown>): Record<string, unknown> {
    switch (method) {
      case 'auth.test':
        return { ok: true, user_id: FAKE_BOT_USER, bot_id: 'B0FAKE', team_id: FAKE_TEAM, user: 'helpdesk' };
      case 'apps.connections.open':
        return { ok: true, url: `${this.url.replace('http', 'ws')}/socket` };
      case 'chat.postMessage': {
        const message: PostedMessage = {
          channel: String(args.channel),
          ts: this.nextTs(),
          thread_ts: args.thread_ts ? String(args.thread_ts) : undefined,
          text: String(args.text ?? ''),
          blocks: asArray(args.blocks),
          history: [String(args.text ?? '')],
          reactions: [],
        };
        this.messages.push(message);
        return { ok: true, channel: message.channel, ts: message.ts, message: { text: message.text } };
      }
      case 'chat.update': {
        const message = this.messages.find((m) => m.channel === args.channel && m.ts === args.ts);
        if (!message) return { ok: false, error: 'message_not_found' };
        message.text = String(args.text ?? '');
        message.blocks = asArray(args.blocks);
        message.history.push(message.text);
        return { ok: true, channel: message.channel, ts: message.ts };
      }
      case 'chat.postEphemeral':
        this.ephemerals.push({
          channel: String(args.channel),
          user: String(args.user),
          text: String(args.text),
        });
        return { ok: true, message_ts: this.nextTs() };
      case 'reactions.add': {
        const message = this.messages.find((m) => m.channel === args.channel && m.ts === args.timestamp);
        // Real Slack refuses the same reaction twice on one message.
        if (message?.reactions.includes(String(args.name))) return { ok: false, error: 'already_reacted' };
        message?.reactions.push(String(args.name));
        return { ok: true };
      }
      case 'users.info': {
        const user = this.users.get(String(args.user));
        if (!user) return { ok: false, error: 'user_not_found' };
        return {
          ok: true,
          user: { id: args.user, name: user.display_name, real_name: user.real_name, profile: user },
        };
      }
      case 'conversations.open':
        return { ok: true, channel: { id: `D${String(args.users)}` } };
      case 'files.getUploadURLExternal': {
        const id = `F${++this.idCounter}`;
        this.files.push({ id, filename: String(args.filename), bytes: Buffer.alloc(0) });
        return { ok: true, upload_url: `${this.url}/upload/${id}`, file_id: id };
      }
      case 'files.completeUploadExternal': {
        const listed = JSON.parse(String(args.files)) as Array<{ id: string }>;
        for (const { id } of listed) {
          const file = this.files.find((f) => f.id === id);
          if (file) {
            file.channel = args.channel_id ? String(args.channel_id) : undefined;
            file.thread_ts = args.thread_ts ? String(args.thread_ts) : undefined;
          }
        }
        return { ok: true, files: listed.map(({ id }) => ({ id })) };
      }
      default:
        return { ok: true };
    }
  }
}

function parseArgs(body: string, contentType: string | undefined): Record<string, unknown> {
  if (!body) return {};
  if ((contentType ?? '').includes('application/json')) return JSON.parse(body) as Record<string, unknown>;
  return Object.fromEntries(new URLSearchParams(body).entries());
}

/** The file's bytes from an upload: the raw body, or the first part of a multipart form. */
function uploadedBytes(raw: Buffer, contentType: string | undefined): Buffer {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/.exec(contentType ?? '');
  if (!boundary) return raw;
  const delimiter = Buffer.from(`--${boundary[1] ?? boundary[2]}`);
  const start = raw.indexOf(delimiter);
  const headersEnd = raw.indexOf('\r\n\r\n', start);
  const end = raw.indexOf(Buffer.from(`\r\n${delimiter.toString()}`), headersEnd);
  return raw.subarray(headersEnd + 4, end);
}

function asArray(value: unknown): unknown[] | undefined {
  if (value === undefined) return undefined;
  return typeof value === 'string' ? (JSON.parse(value) as unknown[]) : (value as unknown[]);
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

/** POSTs `body` to the app's Slack endpoint, signed with `secret` at `timestamp` (seconds). */
export async function signedPost(
  url: string,
  body: string,
  options: {
    secret: string;
    timestamp: number;
    contentType?: string;
    retryNum?: number;
    signature?: string;
  },
): Promise<Response> {
  const headers: Record<string, string> = {
    'content-type': options.contentType ?? 'application/json',
    'x-slack-request-timestamp': String(options.timestamp),
    'x-slack-signature': options.signature ?? slackSignature(options.secret, options.timestamp, body),
  };
  if (options.retryNum) {
    headers['x-slack-retry-num'] = String(options.retryNum);
    headers['x-slack-retry-reason'] = 'http_timeout';
  }
  return fetch(url, { method: 'POST', headers, body });
}
