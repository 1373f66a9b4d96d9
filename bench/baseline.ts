import type { RunningApp } from '../src/app.js';

const TEXT = 'x'.repeat(600);

/**
 * The least the store must do per inbound message: one transaction that inserts one row into the
 * app's `messages` table and sends one pg-boss job in the same transaction (as `JobQueue.enqueueDelivery`
 * does for every queued delivery). Raw SQL, no threading, no ORM.
 */
export function baselineTask(app: RunningApp): () => Promise<void> {
  const run = `${process.pid}-${Date.now()}`;
  let index = 0;
  return async () => {
    const n = ++index;
    await app.database.transaction(async (tx) => {
      const { rows } = await tx.sql.query<{ id: string }>(
        `insert into messages (direction, disposition, channel, external_id, sender_kind, sender_address, new_text, full_text)
         values ('inbound', 'ticket', 'test', $1, 'test', 'baseline', $2, $3) returning id::text`,
        [`baseline-${run}-${n}`, TEXT.slice(0, 200), TEXT],
      );
      await app.queue.enqueueDelivery(tx, rows[0]!.id);
    });
  };
}
