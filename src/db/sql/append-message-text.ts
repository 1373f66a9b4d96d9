import type { SqlClient } from '../database.js';

const APPEND_TEXT_SQL = `update messages set
    new_text = case when new_text = '' then $2 else new_text || E'\\n\\n' || $2 end,
    full_text = case when full_text = '' then $3 else full_text || E'\\n\\n' || $3 end
  where id = $1`;

/** Appends `newText` and `fullText` to the message's texts, after a blank line when they are not empty. */
export async function appendMessageText(
  sql: SqlClient,
  params: { messageId: bigint; newText: string; fullText: string },
): Promise<void> {
  await sql.query(APPEND_TEXT_SQL, [params.messageId.toString(), params.newText, params.fullText]);
}
