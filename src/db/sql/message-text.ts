import type { SqlClient } from '../database.js';

/** The message's `new_text`, or undefined when there is no such message. */
export async function messageText(sql: SqlClient, messageId: string): Promise<string | undefined> {
  const { rows } = await sql.query<{ new_text: string }>('select new_text from messages where id = $1', [
    messageId,
  ]);
  return rows[0]?.new_text;
}
