import { createHash, randomBytes } from 'node:crypto';
import { and, eq, gt } from 'drizzle-orm';
import ical, { ICalCalendarMethod } from 'ical-generator';
import { appointments, calendarFeeds, tickets } from '../db/schema.js';
import { DEFAULT_BUSINESS_CALENDAR } from './business-calendar.js';
import type { CoreContext } from './core-context.js';
import { DateTime } from './luxon.js';

/**
 * Each technician's private ICS feed (#23 item 5), to subscribe to in their own calendar app:
 * `GET /calendar/<token>.ics` lists their booked appointments (from 30 days back). The token is
 * random (32 bytes, base64url) and only its SHA-256 is stored; a new one replaces the old.
 */

const sha256 = (token: string) => createHash('sha256').update(token).digest('hex');
const KEEP_PAST_MS = 30 * 24 * 3600_000;

/** Creates or replaces the technician's feed token; returns the token (shown once). */
export async function createFeedToken(ctx: CoreContext, technician: string): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  await ctx.database.db
    .insert(calendarFeeds)
    .values({ technician, tokenHash: sha256(token) })
    .onConflictDoUpdate({
      target: calendarFeeds.technician,
      set: { tokenHash: sha256(token), createdAt: ctx.now() },
    });
  return token;
}

/** The feed of the technician owning `token` as `text/calendar` (METHOD:PUBLISH), or undefined for an unknown token. */
export async function feedFor(ctx: CoreContext, token: string): Promise<string | undefined> {
  const [feed] = await ctx.database.db
    .select()
    .from(calendarFeeds)
    .where(eq(calendarFeeds.tokenHash, sha256(token)));
  if (!feed) return undefined;
  const rows = await ctx.database.db
    .select({ appointment: appointments, number: tickets.number, subject: tickets.subject })
    .from(appointments)
    .innerJoin(tickets, eq(tickets.id, appointments.ticketId))
    .where(
      and(
        eq(appointments.technician, feed.technician),
        eq(appointments.status, 'booked'),
        gt(appointments.endAt, new Date(ctx.now().getTime() - KEEP_PAST_MS)),
      ),
    )
    .orderBy(appointments.startAt);
  const timeZone = (ctx.calendar ?? DEFAULT_BUSINESS_CALENDAR).timeZone;
  const calendar = ical({
    prodId: { company: 'helpdesk-bot', product: 'technician-feed', language: 'IT' },
    method: ICalCalendarMethod.PUBLISH,
    name: `${ctx.settings.companyName} — ${feed.technician}`,
  });
  const zoned = (d: Date) => DateTime.fromJSDate(d, { zone: timeZone });
  for (const { appointment, number, subject } of rows) {
    calendar.createEvent({
      id: appointment.uid,
      sequence: appointment.sequence,
      stamp: ctx.now(),
      start: zoned(appointment.startAt),
      end: zoned(appointment.endAt),
      timezone: timeZone,
      summary: `#${number} ${subject} (${appointment.kind === 'onsite' ? 'in sede' : 'da remoto'})`,
      url: `${ctx.settings.publicUrl.replace(/\/$/, '')}/api/v1/tickets/${number}`,
    });
  }
  return calendar.toString();
}
