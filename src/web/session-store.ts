import type { SessionStore } from '@fastify/session';
import { eq, lt } from 'drizzle-orm';
import type { CoreContext } from '../core/core-context.js';
import { webSessions } from '../db/schema.js';

/** What a portal session holds: who signed in. */
declare module 'fastify' {
  interface Session {
    customerId?: string;
    login?: string;
  }
}

type Callback = (error?: unknown) => void;

/**
 * Sessions in the store (table `web_sessions`), so they survive restarts and are shared by every
 * instance; the cookie carries only the signed session id. Expired rows are removed as sessions
 * are written.
 */
export function databaseSessionStore(ctx: CoreContext, maxAgeMs: number): SessionStore {
  const db = ctx.database.db;
  let lastSweep = 0;
  return {
    get(sid: string, callback: (error: unknown, session?: unknown) => void) {
      db.select()
        .from(webSessions)
        .where(eq(webSessions.sid, sid))
        .then(([row]) => {
          if (!row || row.expiresAt.getTime() <= ctx.now().getTime()) return callback(null, null);
          callback(null, row.data);
        }, callback);
    },
    set(sid: string, session: { cookie?: { expires?: Date | string | null } }, callback: Callback) {
      const now = ctx.now().getTime();
      const expires = session.cookie?.expires ? new Date(session.cookie.expires) : new Date(now + maxAgeMs);
      const data = JSON.parse(JSON.stringify(session));
      const write = db
        .insert(webSessions)
        .values({ sid, data, expiresAt: expires })
        .onConflictDoUpdate({ target: webSessions.sid, set: { data, expiresAt: expires } });
      const sweep =
        now - lastSweep > 600_000
          ? db.delete(webSessions).where(lt(webSessions.expiresAt, new Date(now)))
          : Promise.resolve();
      if (now - lastSweep > 600_000) lastSweep = now;
      Promise.all([write, sweep]).then(() => callback(), callback);
    },
    destroy(sid: string, callback: Callback) {
      db.delete(webSessions)
        .where(eq(webSessions.sid, sid))
        .then(() => callback(), callback);
    },
  } as SessionStore;
}
