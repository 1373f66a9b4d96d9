/**
 * Customers' files in their ticket's thread (files API, v2 upload flow), uploaded one by one after
 * the message's text, with the count done recorded after each, so a Slack outage in the middle
 * resumes at the next file, before any later message, and uploads nothing twice.
 */

import type { Database } from '../../db/database.js';
import { attachmentContents } from '../../db/sql/attachment-contents.js';
import { countKeptAttachments } from '../../db/sql/count-kept-attachments.js';
import { pendingSlackFileUploads } from '../../db/sql/pending-slack-file-uploads.js';
import { setSlackFilesUploaded } from '../../db/sql/set-slack-files-uploaded.js';
import { slackFilesUploaded } from '../../db/sql/slack-files-uploaded.js';
import type { SlackPoster } from './slack-poster.js';

/** Whether the message has files to upload (kept content). */
export async function hasFiles(database: Database, messageId: string): Promise<boolean> {
  return (await countKeptAttachments(database.sql, messageId)) > 0;
}

/**
 * Uploads the files of `messageId` not uploaded yet into `threadTs`, in order, recording each;
 * throws on the first failure (the next pass resumes there).
 */
export async function uploadFiles(
  database: Database,
  poster: SlackPoster,
  messageId: string,
  channel: string,
  threadTs: string,
): Promise<void> {
  const done = await slackFilesUploaded(database.sql, messageId);
  if (done === null || done === undefined) return;
  // Whole contents: a large one is stored in pieces (src/db/stored-chunks.ts).
  const rows = (await attachmentContents(database.sql, messageId)).slice(Number(done));
  let count = Number(done);
  for (const file of rows) {
    await poster.post(channel, () =>
      poster.client.files.uploadV2({
        channel_id: channel,
        thread_ts: threadTs,
        file: Buffer.from(file.content),
        filename: file.filename,
      }),
    );
    count += 1;
    await setSlackFilesUploaded(database.sql, messageId, count);
  }
  await setSlackFilesUploaded(database.sql, messageId, null);
}

/** Finishes the uploads an earlier pass left half-way (a Slack outage), oldest message first. */
export async function resumeUploads(database: Database, poster: SlackPoster): Promise<void> {
  for (const row of await pendingSlackFileUploads(database.sql))
    await uploadFiles(database, poster, row.message_id, row.channel_id, row.thread_ts);
}
