/**
 * Customers' files in their ticket's thread (files API, v2 upload flow), uploaded one by one after
 * the message's text, with the count done recorded after each, so a Slack outage in the middle
 * resumes at the next file, before any later message, and uploads nothing twice.
 */

import type { Database } from '../../db/database.js';
import { attachmentContents } from '../../db/sql/attachment-contents.js';
import type { SlackPoster } from './slack-poster.js';

/** Posts whose files are not all uploaded yet, oldest first. */
const PENDING_SQL = `select sp.message_id::text as message_id, sp.channel_id, st.thread_ts
  from slack_posts sp join messages m on m.id = sp.message_id
  join slack_threads st on st.ticket_id = m.ticket_id
  where sp.files_uploaded is not null order by sp.message_id limit 20`;

/** Whether the message has files to upload (kept content). */
export async function hasFiles(database: Database, messageId: string): Promise<boolean> {
  const { rows } = await database.sql.query<{ n: number }>(
    'select count(*)::int as n from attachments where message_id = $1 and content is not null',
    [messageId],
  );
  return Number(rows[0]?.n ?? 0) > 0;
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
  const { rows: posts } = await database.sql.query<{ files_uploaded: number | null }>(
    'select files_uploaded from slack_posts where message_id = $1',
    [messageId],
  );
  const done = posts[0]?.files_uploaded;
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
    await database.sql.query('update slack_posts set files_uploaded = $2 where message_id = $1', [
      messageId,
      count,
    ]);
  }
  await database.sql.query('update slack_posts set files_uploaded = null where message_id = $1', [messageId]);
}

/** Finishes the uploads an earlier pass left half-way (a Slack outage), oldest message first. */
export async function resumeUploads(database: Database, poster: SlackPoster): Promise<void> {
  const { rows } = await database.sql.query<{ message_id: string; channel_id: string; thread_ts: string }>(
    PENDING_SQL,
  );
  for (const row of rows) await uploadFiles(database, poster, row.message_id, row.channel_id, row.thread_ts);
}
