/**
 * Remote-access consent over the REST API (terms T4, T5, T7): ask, list the evidence, start and
 * end a session, and the one-time read of credentials (never stored; held in memory only).
 */

import { eq } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requestConsent } from '../core/consent/consent-requests.js';
import { endRemoteSession, startRemoteSession } from '../core/consent/consent-sessions.js';
import { listConsents } from '../core/consent/consent-store.js';
import { CredentialVault } from '../core/consent/credential-vault.js';
import type { CoreContext } from '../core/core-context.js';
import { NotFoundError } from '../core/errors.js';
import { getTicketByNumber } from '../core/tickets.js';
import { customers } from '../db/schema.js';
import { errors, json } from './responses.js';
import { customerIdParams, storedText, ticketNumberParams } from './schemas.js';

const id = z.string().regex(/^\d+$/);
const time = z.iso.datetime({ offset: true });

/** One evidence row (see `consents` in src/db/schema.ts). */
export const consentView = z.object({
  id,
  requestId: id.nullable().describe('the request this event belongs to; null on the request itself'),
  event: z.enum([
    'requested',
    'granted',
    'refused',
    'expired',
    'revoked',
    'unclear',
    'credentials_provided',
    'session_started',
    'session_ended',
  ]),
  ticketId: id,
  customerId: id,
  technician: z.string(),
  technicianRef: z.string().nullable().describe('where the technician is reached privately (slack:U…)'),
  channel: z.string(),
  identity: z.string().nullable(),
  templateVersion: z.string().nullable(),
  requestText: z.string().nullable(),
  answerMessageId: id.nullable(),
  answerText: z.string().nullable(),
  answerVia: z.string().nullable(),
  backupConfirmed: z.boolean(),
  termsVersion: z.string().nullable(),
  quickAccess: z.boolean(),
  expiresAt: time.nullable(),
  minutes: z.number().int().nullable(),
  at: time,
});

const technicianBody = z.object({ technician: storedText().trim().min(1).max(100) });
const sessionBody = technicianBody.extend({ action: z.enum(['start', 'end']) });

export function registerConsentRoutes(server: FastifyInstance, core: CoreContext): void {
  const api = server.withTypeProvider<ZodTypeProvider>();
  const tx = { db: core.database.db, sql: core.database.sql };

  api.post(
    '/tickets/:number/consents',
    {
      schema: {
        summary: "Ask the ticket's customer for remote-access consent, in their channel (expires unanswered)",
        params: ticketNumberParams,
        body: technicianBody,
        response: {
          201: json('Asked', z.object({ consent: consentView, deliveryId: id })),
          ...errors({ 404: 'No such ticket', 409: 'A consent is already pending or a session runs' }),
        },
      },
    },
    async (request, reply) => {
      const { request: row, deliveryId } = await requestConsent(core, {
        ticketNumber: request.params.number,
        technician: request.body.technician,
        actor: `technician:${request.body.technician}`,
      });
      return reply.code(201).send({ consent: row, deliveryId });
    },
  );

  api.get(
    '/tickets/:number/consents',
    {
      schema: {
        summary: "The ticket's consent evidence: requests and what followed, oldest first (append-only)",
        params: ticketNumberParams,
        response: {
          200: json('Evidence rows', z.object({ consents: z.array(consentView) })),
          ...errors({ 404: 'No such ticket' }),
        },
      },
    },
    async (request) => {
      const ticket = await getTicketByNumber(tx, request.params.number);
      return { consents: await listConsents(core.database.db, { ticketId: ticket.id }) };
    },
  );

  api.get(
    '/customers/:id/consents',
    {
      schema: {
        summary: "The customer's consent evidence on all tickets, oldest first",
        params: customerIdParams,
        response: {
          200: json('Evidence rows', z.object({ consents: z.array(consentView) })),
          ...errors({ 404: 'No such customer' }),
        },
      },
    },
    async (request) => {
      const customerId = BigInt(request.params.id);
      const [customer] = await core.database.db
        .select({ id: customers.id })
        .from(customers)
        .where(eq(customers.id, customerId));
      if (!customer) throw new NotFoundError('customer', request.params.id);
      return { consents: await listConsents(core.database.db, { customerId }) };
    },
  );

  api.post(
    '/tickets/:number/remote-session',
    {
      schema: {
        summary:
          'Start (after the customer said yes) or end a remote session; ending sends the customer the T4 reminder',
        params: ticketNumberParams,
        body: sessionBody,
        response: {
          200: json('The session event', z.object({ consent: consentView })),
          ...errors({ 404: 'No such ticket', 409: 'No granted consent / no session running' }),
        },
      },
    },
    async (request) => {
      const input = {
        ticketNumber: request.params.number,
        technician: request.body.technician,
        actor: `technician:${request.body.technician}`,
      };
      const row =
        request.body.action === 'start'
          ? await startRemoteSession(core, input)
          : await endRemoteSession(core, input);
      return { consent: row };
    },
  );

  api.get(
    '/tickets/:number/credentials',
    {
      schema: {
        summary:
          "The remote tool's ID and password the customer sent: readable ONCE, then forgotten (never stored)",
        params: ticketNumberParams,
        response: {
          200: json("The customer's words", z.object({ technician: z.string(), credentials: z.string() })),
          ...errors({ 404: 'Nothing waiting (never sent, already read, or expired)' }),
        },
      },
    },
    async (request, reply) => {
      const vault = core.credentialHandOver instanceof CredentialVault ? core.credentialHandOver : undefined;
      const held = vault?.take(request.params.number);
      if (!held) throw new NotFoundError('credentials of ticket', request.params.number);
      reply.header('cache-control', 'no-store');
      return { technician: held.technician, credentials: held.secret };
    },
  );
}
