import { desc } from 'drizzle-orm';
import type { Db } from '../database.js';
import { staffAlerts } from '../schema.js';

/** Staff alerts, newest first. */
export async function listStaffAlerts(
  db: Db,
  params: { limit: number; offset: number },
): Promise<(typeof staffAlerts.$inferSelect)[]> {
  return db
    .select()
    .from(staffAlerts)
    .orderBy(desc(staffAlerts.id))
    .limit(params.limit)
    .offset(params.offset);
}
