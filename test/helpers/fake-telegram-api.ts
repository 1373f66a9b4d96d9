/**
 * A local fake of the Telegram Bot API, good enough for the real grammY client in long polling
 * and webhook mode:
 *
 *   const fake = await FakeTelegramApi.start();
 *   const bot = new Bot(fake.token, { client: { apiRoot: fake.apiRoot }, botInfo: fake.botInfo });
 *
 * grammY POSTs JSON (multipart/form-data for uploads) to `/bot<token>/<method>` and expects
 * `{ ok: true, result }` or `{ ok: false, error_code, description, parameters? }`. Files are
 * served at `GET /file/bot<token>/<file_path>`.
 *
 * Realism: dates in seconds, message ids increase per chat (inbound and outbound share the
 * counter), `getUpdates` honours `offset`/`limit`/`timeout` (capped by `maxLongPollMs`), a newer
 * `getUpdates` ends a held one with 409, `getUpdates` with a webhook set gives 409, HTML texts are
 * parsed (bad tags → 400 "can't parse entities", over 4096 characters after parsing → 400
 * "message is too long"), callback data over 64 bytes → 400 BUTTON_DATA_INVALID.
 *
 * The fake lives in `fake-telegram/`: the `FakeTelegramApi` class and its test controls
 * (`fake-telegram-api.ts`), the update builders (`update-builders.ts`, `content-builders.ts`,
 * `inbound-message.ts`), the HTTP routing and dispatch (`request-handler.ts`, `request-params.ts`),
 * the method handlers
 * (`long-polling.ts`, `webhook-methods.ts`, `message-methods.ts`, `file-methods.ts`,
 * `callback-methods.ts`), Telegram's HTML parse mode (`telegram-html.ts`), the errors
 * (`api-errors.ts`), the shared state (`fake-state.ts`) and the public types (`types.ts`).
 */
export { telegramErrors } from './fake-telegram/api-errors.js';
export { FakeTelegramApi } from './fake-telegram/fake-telegram-api.js';
export type {
  ApiFailure,
  ApiParams,
  ApiResponse,
  FakeTelegramOptions,
  FileOptions,
  RecordedCall,
  RegisteredFile,
  SenderOptions,
  UploadedFile,
  WebhookDelivery,
  WebhookInfoState,
} from './fake-telegram/types.js';
