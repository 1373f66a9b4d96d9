/**
 * The fake's `answerCallbackQuery`: each button press (see the `callbackQuery` builder) can be
 * answered once; unknown or answered ones fail as a too-old query does on Telegram.
 */
import { bad } from './api-errors.js';
import type { FakeTelegramState } from './fake-state.js';
import type { ApiParams } from './types.js';

export function answerCallbackQuery(state: FakeTelegramState, p: ApiParams): true {
  const id =
    typeof p.callback_query_id === 'string' ? p.callback_query_id : String(p.callback_query_id ?? '');
  const query = state.callbackQueries.get(id);
  if (!query || query.answered) {
    throw bad('query is too old and response timeout expired or query ID is invalid');
  }
  if (typeof p.text === 'string' && p.text.length > 200) throw bad('MESSAGE_TOO_LONG');
  query.answered = true;
  return true;
}
