/**
 * The fake's HTTP side: routes `POST /bot<token>/<method>` (JSON, urlencoded or multipart) to the
 * method handlers and `GET /file/bot<token>/<file_path>` to the file bytes, applies failures
 * injected with `failNext` / `failAfter`, records every call but `getUpdates`, and answers
 * `{ ok: true, result }` or `{ ok: false, error_code, description, parameters? }`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Failure } from './api-errors.js';
import { answerCallbackQuery } from './callback-methods.js';
import type { FakeTelegramState } from './fake-state.js';
import { downloadableFile, getFile } from './file-methods.js';
import { getUpdates } from './long-polling.js';
import { editMessage, sendChatAction, sendDocument, sendMessage, sendPhoto } from './message-methods.js';
import { asObject, parseParams, readBody } from './request-params.js';
import type { ApiParams, ApiResponse, UploadedFile } from './types.js';
import { deleteWebhook, getWebhookInfo, setWebhook } from './webhook-methods.js';

const NOT_FOUND = Symbol('not found');

/** Answers one HTTP request to the fake. */
export async function handleRequest(
  state: FakeTelegramState,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const fileRoute = /^\/file\/bot([^/]+)\/(.+)$/.exec(url.pathname);
  if (fileRoute && (req.method === 'GET' || req.method === 'HEAD')) {
    await readBody(req);
    const file = downloadableFile(state, fileRoute[1]!, fileRoute[2]!);
    if ('error_code' in file) return reply(res, { ok: false, ...file });
    res.writeHead(200, {
      'content-type': 'application/octet-stream',
      'content-length': file.content.length,
    });
    res.end(req.method === 'HEAD' ? undefined : file.content);
    return;
  }
  const route = /^\/bot([^/]*)\/([A-Za-z]+)$/.exec(url.pathname);
  const body = await readBody(req);
  if (!route) return reply(res, { ok: false, error_code: 404, description: 'Not Found' });
  if (!state.tokens.has(route[1]!))
    return reply(res, { ok: false, error_code: 401, description: 'Unauthorized' });
  const method = route[2]!;

  let params: ApiParams;
  let uploads: UploadedFile[] = [];
  try {
    ({ params, uploads } = parseParams(req, url, body));
  } catch (error) {
    if (error instanceof Failure) return reply(res, { ok: false, ...error.failure });
    throw error;
  }
  const files: Record<string, UploadedFile> = {};
  for (const [key, value] of Object.entries(params)) {
    if (typeof value === 'string' && value.startsWith('attach://')) {
      const upload = uploads.find((u) => u.field === value.slice('attach://'.length));
      if (upload) files[key] = upload;
    }
  }
  // Uploads sent directly under the parameter name (other clients).
  for (const upload of uploads) {
    if (!Object.values(files).includes(upload) && params[upload.field] === undefined)
      files[upload.field] = upload;
  }

  const key = method.toLowerCase();
  const holdMs = state.holds.get(key)?.shift();
  if (holdMs) await new Promise((resolve) => setTimeout(resolve, holdMs));
  let response: ApiResponse;
  const injected = state.failures.get(key)?.shift();
  if (injected) {
    response = { ok: false, ...injected };
    if (key === 'getupdates') state.stats.getUpdatesCalls += 1;
  } else {
    try {
      const result = await dispatch(state, key, params, files, res);
      if (result === NOT_FOUND) {
        return reply(res, { ok: false, error_code: 404, description: 'Not Found' });
      }
      response = { ok: true, result };
    } catch (error) {
      if (!(error instanceof Failure)) throw error;
      response = { ok: false, ...error.failure };
    }
  }
  if (key !== 'getupdates') {
    state.calls.push({
      method,
      params,
      files,
      response,
      ok: response.ok,
      at: new Date(),
      ...(response.ok ? { result: response.result } : {}),
    });
    for (const listener of [...state.sentListeners]) listener();
  }
  reply(res, response);
}

function reply(res: ServerResponse, response: ApiResponse): void {
  if (res.writableEnded || res.destroyed) return;
  const status = response.ok ? 200 : response.error_code;
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(response));
}

async function dispatch(
  state: FakeTelegramState,
  method: string,
  p: ApiParams,
  files: Record<string, UploadedFile>,
  res: ServerResponse,
): Promise<unknown> {
  switch (method) {
    case 'getme':
      return state.botInfo;
    case 'getupdates':
      return await getUpdates(state, p, res);
    case 'setwebhook':
      return setWebhook(state, p);
    case 'deletewebhook':
      return deleteWebhook(state, p);
    case 'getwebhookinfo':
      return getWebhookInfo(state);
    case 'sendmessage':
      return sendMessage(state, p);
    case 'senddocument':
      return sendDocument(state, p, files);
    case 'sendphoto':
      return sendPhoto(state, p, files);
    case 'editmessagetext':
      return editMessage(state, p, 'text');
    case 'editmessagereplymarkup':
      return editMessage(state, p, 'markup');
    case 'answercallbackquery':
      return answerCallbackQuery(state, p);
    case 'sendchataction':
      return sendChatAction(state, p);
    case 'getfile':
      return getFile(state, p);
    case 'setmycommands':
      state.commands = asObject<unknown[]>(p.commands) ?? [];
      return true;
    case 'getmycommands':
      return state.commands;
    case 'deletemycommands':
      state.commands = [];
      return true;
    default:
      return NOT_FOUND;
  }
}
