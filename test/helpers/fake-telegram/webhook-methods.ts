/**
 * The fake's webhook methods (setWebhook, deleteWebhook, getWebhookInfo), and delivering an update
 * to the webhook set, as Telegram does.
 */
import type { Update } from 'grammy/types';
import { bad } from './api-errors.js';
import type { FakeTelegramState } from './fake-state.js';
import { asObject, optionalInt } from './request-params.js';
import type { ApiParams } from './types.js';

export function setWebhook(state: FakeTelegramState, p: ApiParams): true {
  const url = typeof p.url === 'string' ? p.url : '';
  if (url === '') {
    state.webhook = undefined;
    return true;
  }
  if (!/^https?:\/\//.test(url)) throw bad('bad webhook: An HTTPS URL must be provided for webhook');
  const secret = typeof p.secret_token === 'string' && p.secret_token !== '' ? p.secret_token : undefined;
  if (secret !== undefined && !/^[A-Za-z0-9_-]{1,256}$/.test(secret)) {
    throw bad('secret token contains unallowed characters');
  }
  const allowed = asObject<string[]>(p.allowed_updates);
  const maxConnections = optionalInt(p.max_connections);
  state.webhook = {
    url,
    ...(secret ? { secretToken: secret } : {}),
    ...(allowed ? { allowedUpdates: allowed } : {}),
    ...(maxConnections ? { maxConnections } : {}),
  };
  if (p.drop_pending_updates === true || p.drop_pending_updates === 'true') state.pending = [];
  return true;
}

export function deleteWebhook(state: FakeTelegramState, p: ApiParams): true {
  state.webhook = undefined;
  if (p.drop_pending_updates === true || p.drop_pending_updates === 'true') state.pending = [];
  return true;
}

export function getWebhookInfo(state: FakeTelegramState): Record<string, unknown> {
  return {
    url: state.webhook?.url ?? '',
    has_custom_certificate: false,
    pending_update_count: state.pending.length,
    ...(state.webhook?.maxConnections ? { max_connections: state.webhook.maxConnections } : {}),
    ...(state.webhook?.allowedUpdates ? { allowed_updates: state.webhook.allowedUpdates } : {}),
  };
}

/** POSTs an update to the webhook set with `setWebhook`, with its secret token (or the one
 * given, to test a wrong secret), and returns the HTTP status. */
export async function deliverToWebhook(
  state: FakeTelegramState,
  update: Omit<Update, 'update_id'> & { update_id?: number },
  options: { secretToken?: string | null } = {},
): Promise<number> {
  if (!state.webhook) throw new Error('deliverToWebhook: no webhook set (call setWebhook first)');
  const full = state.withUpdateId(update);
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  const secret = options.secretToken === undefined ? state.webhook.secretToken : options.secretToken;
  if (secret) headers['x-telegram-bot-api-secret-token'] = secret;
  const response = await fetch(state.webhook.url, { method: 'POST', headers, body: JSON.stringify(full) });
  const body = await response.text();
  state.webhookDeliveries.push({ update: full, status: response.status, body });
  return response.status;
}
