/**
 * The fake's `getUpdates`: confirms updates through `offset`, honours `limit`, and holds the call
 * up to `timeout` (capped by `maxLongPollMs`) until an update is queued. Like Telegram, a newer call
 * ends a held one with 409, and a set webhook makes it fail with 409.
 */
import type { ServerResponse } from 'node:http';
import type { Update } from 'grammy/types';
import { Failure } from './api-errors.js';
import type { FakeTelegramState, Poller } from './fake-state.js';
import { optionalInt } from './request-params.js';
import type { ApiParams } from './types.js';

/** Answers `getUpdates`, waiting for updates when asked to (see the file comment). */
export async function getUpdates(
  state: FakeTelegramState,
  p: ApiParams,
  res: ServerResponse,
): Promise<Update[]> {
  state.stats.getUpdatesCalls += 1;
  if (state.webhook) {
    throw new Failure({
      error_code: 409,
      description:
        "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
    });
  }
  const offset = optionalInt(p.offset) ?? 0;
  const limit = Math.min(100, Math.max(1, optionalInt(p.limit) ?? 100));
  const timeoutMs = Math.min(state.maxLongPollMs, Math.max(0, (optionalInt(p.timeout) ?? 0) * 1000));
  state.stats.offsetsSeen.push(offset);
  if (offset > 0) {
    const dropped = state.pending.filter((u) => u.update_id < offset);
    if (dropped.length > 0) {
      state.stats.confirmedUpTo = Math.max(state.stats.confirmedUpTo, ...dropped.map((u) => u.update_id));
    }
    state.pending = state.pending.filter((u) => u.update_id >= offset);
  } else if (offset < 0) {
    const kept = state.pending.slice(offset);
    const dropped = state.pending.slice(0, state.pending.length - kept.length);
    if (dropped.length > 0) {
      state.stats.confirmedUpTo = Math.max(state.stats.confirmedUpTo, ...dropped.map((u) => u.update_id));
    }
    state.pending = kept;
  }
  // Like Telegram: a newer getUpdates ends the one still being held.
  for (const poller of [...state.pollers]) poller.wake('terminated');

  const take = () => state.pending.filter((u) => offset <= 0 || u.update_id >= offset).slice(0, limit);
  const ready = take();
  if (ready.length > 0 || timeoutMs === 0 || state.closed) return ready;

  const reason = await new Promise<Parameters<Poller['wake']>[0]>((resolve) => {
    const poller: Poller = {
      wake: (why) => {
        clearTimeout(timer);
        state.pollers.delete(poller);
        res.off('close', onClose);
        resolve(why);
      },
    };
    const onClose = () => poller.wake('aborted');
    const timer = setTimeout(() => poller.wake('timeout'), timeoutMs);
    res.on('close', onClose);
    state.pollers.add(poller);
  });
  if (reason === 'terminated') {
    throw new Failure({
      error_code: 409,
      description:
        'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running',
    });
  }
  return reason === 'closed' || reason === 'aborted' ? [] : take();
}
