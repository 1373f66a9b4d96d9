/**
 * The fake's files: `getFile` for a registered file, and finding the bytes served at
 * `GET /file/bot<token>/<file_path>`.
 */
import { bad } from './api-errors.js';
import type { FakeTelegramState } from './fake-state.js';
import type { ApiFailure, ApiParams, RegisteredFile } from './types.js';

export function getFile(state: FakeTelegramState, p: ApiParams): Record<string, unknown> {
  const file = typeof p.file_id === 'string' ? state.files.get(p.file_id) : undefined;
  if (!file) throw bad('invalid file_id');
  if (file.size > 20 * 1024 * 1024) throw bad('file is too big');
  return {
    file_id: file.fileId,
    file_unique_id: file.fileUniqueId,
    file_size: file.size,
    file_path: file.filePath,
  };
}

/** The file a download of `rawPath` (URI-encoded `file_path`) with `token` gets, or the failure
 * to answer (401 for an unknown token, 404 for an unknown path). */
export function downloadableFile(
  state: FakeTelegramState,
  token: string,
  rawPath: string,
): RegisteredFile | ApiFailure {
  if (!state.tokens.has(token)) return { error_code: 401, description: 'Unauthorized' };
  const path = decodeURIComponent(rawPath);
  const file = [...state.files.values()].find((f) => f.filePath === path);
  return file ?? { error_code: 404, description: 'Not Found' };
}
