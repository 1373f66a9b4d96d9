import { and, asc, eq, gte, lt } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { cancelAppointment } from '../core/appointment-changes.js';
import { createFeedToken } from '../core/calendar-feed.js';
import type { CoreContext } from '../core/core-context.js';
import { instantField } from '../core/date-bounds.js';
import { bookSlot, proposeForTicket } from '../core/proposals.js';
import { getTicketByNumber } from '../core/tickets.js';
import { appointments, tickets } from '../db/schema.js';
import { errors, json } from './responses.js';
import { ticketNumberParams } from './schemas.js';

const time = z.iso.datetime({ offset: true });
const slotView = z.object({ number: z.number().int(), start: time, end: time });
const offerView = z.object({ offerId: z.string(), expiresAt: time, slots: z.array(slotView) });

function toOfferView(offer: Awaited<ReturnType<typeof proposeForTicket>>) {
  return {
    offerId: offer.offerId.toString(),
    expiresAt: offer.expiresAt.toISOString(),
    slots: offer.slots.map((s) => ({
      number: s.number,
      start: s.start.toISOString(),
      end: s.end.toISOString(),
    })),
  };
}

const appointmentView = z.object({
  id: z.string(),
  ticketNumber: z.number().int(),
  technician: z.string(),
  kind: z.string(),
  status: z.string(),
  start: time,
  end: time,
  uid: z.string(),
  sequence: z.number().int(),
});

/** `/api/v1/tickets/:number/proposals`, `/bookings` and `/appointments` (#23). */
export function registerProposalRoutes(server: FastifyInstance, core: CoreContext): void {
  const api = server.withTypeProvider<ZodTypeProvider>();
  api.get(
    '/appointments',
    {
      schema: {
        summary: 'Appointments starting in [from, to), booked and cancelled, by start',
        querystring: z.object({
          from: instantField(),
          to: instantField(),
        }),
        response: {
          200: json('Appointments', z.object({ appointments: z.array(appointmentView) })),
          ...errors(),
        },
      },
    },
    async (request) => {
      const rows = await core.database.db
        .select({ a: appointments, number: tickets.number })
        .from(appointments)
        .innerJoin(tickets, eq(tickets.id, appointments.ticketId))
        .where(and(gte(appointments.startAt, request.query.from), lt(appointments.startAt, request.query.to)))
        .orderBy(asc(appointments.startAt));
      return {
        appointments: rows.map(({ a, number }) => ({
          id: a.id.toString(),
          ticketNumber: number,
          technician: a.technician,
          kind: a.kind,
          status: a.status,
          start: a.startAt.toISOString(),
          end: a.endAt.toISOString(),
          uid: a.uid,
          sequence: a.sequence,
        })),
      };
    },
  );
  api.post(
    '/tickets/:number/proposals',
    {
      schema: {
        summary:
          "Propose the next free appointment slots to the ticket's customer, in their channel and language",
        params: ticketNumberParams,
        body: z.object({
          technician: z.string().min(1).max(100),
          kind: z.enum(['remote', 'onsite']).default('remote'),
          durationMinutes: z.number().int().min(15).max(180).default(60),
          count: z.number().int().min(1).max(6).default(3),
        }),
        response: {
          201: json('The offer sent (no slots: none free in the horizon)', offerView),
          ...errors({ 404: 'No such ticket' }),
        },
      },
    },
    async (request, reply) => {
      const offer = await proposeForTicket(core, request.params.number, request.body);
      return reply.code(201).send(toOfferView(offer));
    },
  );
  api.post(
    '/tickets/:number/bookings',
    {
      schema: {
        summary: 'Book slot N of the ticket\'s open offer for the customer (as their reply "N" does)',
        params: ticketNumberParams,
        body: z.object({ number: z.number().int().min(1).max(9) }),
        response: {
          200: json(
            '`booked`; `taken` (another booking won: fresh slots were sent); `expired`, `no_offer`, `no_such_slot`',
            z.object({
              status: z.enum(['booked', 'taken', 'expired', 'no_offer', 'no_such_slot']),
              appointmentId: z.string().optional(),
              fresh: offerView.optional(),
            }),
          ),
          ...errors({ 404: 'No such ticket' }),
        },
      },
    },
    async (request) => {
      const ticket = await getTicketByNumber(core.database, request.params.number);
      const result = await bookSlot(core, ticket.id, request.body.number, 'api');
      if (result.status === 'booked')
        return { status: result.status, appointmentId: result.appointmentId.toString() };
      if (result.status === 'taken') return { status: result.status, fresh: toOfferView(result.fresh) };
      return { status: result.status };
    },
  );
  api.delete(
    '/appointments/:id',
    {
      schema: {
        summary:
          'Cancel an appointment (or move it: `?move=true` proposes fresh slots): the customer is told, an email customer gets METHOD:CANCEL, the ticket goes back to open',
        params: z.object({ id: z.string().regex(/^\d{1,18}$/) }),
        querystring: z.object({ move: z.enum(['true', 'false']).optional() }),
        response: {
          200: json(
            '`cancelled` (with the fresh offer when moved), or `no_appointment` when it was not booked any more',
            z.object({ status: z.enum(['cancelled', 'no_appointment']), fresh: offerView.optional() }),
          ),
          ...errors({ 404: 'No such appointment' }),
        },
      },
    },
    async (request) => {
      const result = await cancelAppointment(core, BigInt(request.params.id), {
        actor: 'api',
        by: 'technician',
        move: request.query.move === 'true',
      });
      if (result.status === 'cancelled' && result.fresh)
        return { status: result.status, fresh: toOfferView(result.fresh) };
      return { status: result.status };
    },
  );
  api.post(
    '/calendar-feeds',
    {
      schema: {
        summary:
          "Create (or replace) a technician's private ICS feed of their appointments; the URL is shown once",
        body: z.object({ technician: z.string().min(1).max(100) }),
        response: {
          201: json(
            'The feed URL to subscribe to (GET, no API token; the token in it is the secret)',
            z.object({ technician: z.string(), url: z.string() }),
          ),
        },
      },
    },
    async (request, reply) => {
      const token = await createFeedToken(core, request.body.technician);
      const url = `${core.settings.publicUrl.replace(/\/$/, '')}/calendar/${token}.ics`;
      return reply.code(201).send({ technician: request.body.technician, url });
    },
  );
}
