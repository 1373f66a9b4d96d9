import { z } from 'zod';
import { TICKET_STATUSES } from '../core/lifecycle.js';
import type { AttachmentMetadata } from '../core/staff-views.js';
import type { deliveries, messages } from '../db/schema.js';

/**
 * Response shapes of the REST API, for the OpenAPI document, and `toMessageView`, which builds
 * one. Bodies are written by the server's reply serializer (bigint ids as strings, dates as
 * ISO 8601), not checked against these at run time; `test/api/api-contract.test.ts` compares
 * real responses with them.
 */

const id = z.string().regex(/^\d+$/).describe('a bigint id, as a decimal string');
const time = z.iso.datetime({ offset: true });

/** Every 4xx and 5xx body. */
export const apiError = z.object({
  error: z.string().describe('a stable code: validation_failed, not_found, invalid_transition, conflict, …'),
  message: z.string(),
  fields: z
    .record(z.string(), z.string())
    .optional()
    .describe('validation_failed: each bad field (dotted path) and what is wrong with it'),
  errorId: z.string().optional().describe('internal: quote it to find the error in the server log'),
});

export const ticketView = z.object({
  id,
  number: z.number().int(),
  customerId: id,
  subject: z.string(),
  status: z.enum(TICKET_STATUSES),
  originChannel: z.string(),
  replyIdentityId: id.nullable(),
  conversationId: z.string().nullable(),
  assignee: z.string().nullable(),
  interventionKind: z.string().nullable(),
  firstContactDueAt: time.nullable(),
  firstContactAt: time.nullable(),
  previousTicketId: id.nullable(),
  /** Opened by a customer's device alert (a NAS, a backup job): nothing was sent back. */
  automatic: z.boolean(),
  resolvedAt: time.nullable(),
  closedAt: time.nullable(),
  createdAt: time,
  updatedAt: time,
});

const identityView = z.object({
  id,
  customerId: id,
  kind: z.string(),
  address: z.string(),
  displayName: z.string().nullable(),
  verified: z.boolean(),
  unreachableAt: time.nullable(),
  unreachableReason: z.string().nullable(),
  createdAt: time,
});

export const customerView = z.object({
  id,
  kind: z.string(),
  name: z.string(),
  vatNumber: z.string().nullable(),
  taxCode: z.string().nullable(),
  phone: z.string().nullable(),
  status: z.string(),
  locale: z.string(),
  quickAccess: z.boolean(),
  acceptedTermsVersion: z.string().nullable(),
  hourlyRateCents: z.number().int().nullable(),
  activatedAt: time.nullable(),
  createdAt: time,
  identities: z.array(identityView),
});

export const messageView = z.object({
  id,
  direction: z.string(),
  disposition: z.string(),
  channel: z.string(),
  externalId: z.string().nullable(),
  sender: z.object({ kind: z.string().nullable(), address: z.string() }).optional(),
  senderVerified: z
    .boolean()
    .describe(
      'false for inbound mail nobody vouched for: no DMARC pass from the trusted provider and no reply token of ours',
    ),
  senderVerification: z
    .string()
    .optional()
    .describe('pass, reply_token, fail, none: the evidence behind senderVerified'),
  author: z.string().nullable(),
  subject: z.string().nullable(),
  newText: z.string(),
  fullText: z.string(),
  receivedAt: time.nullable(),
  createdAt: time,
  attachments: z.array(
    z.object({
      id,
      filename: z.string(),
      contentType: z.string(),
      size: z.number().int(),
      kept: z.boolean().describe('false: too large or refused; `omittedReason` says why'),
      omittedReason: z.string().nullable(),
    }),
  ),
  deliveries: z.array(
    z.object({
      id,
      channel: z.string(),
      recipient: z.string(),
      status: z.string(),
      attempts: z.number().int(),
      lastError: z.string().nullable(),
      sentAt: time.nullable(),
    }),
  ),
});

/** What the API reads of an attachment: its metadata, never its bytes (a ticket may hold many MB). */

/** A stored message as the API shows it ({@link messageView}): no raw bytes, attachments as metadata. */
export function toMessageView(
  message: typeof messages.$inferSelect,
  files: AttachmentMetadata[],
  sends: Array<typeof deliveries.$inferSelect>,
) {
  return {
    id: message.id,
    direction: message.direction,
    disposition: message.disposition,
    channel: message.channel,
    externalId: message.externalId,
    sender: message.senderAddress ? { kind: message.senderKind, address: message.senderAddress } : undefined,
    // Chat channels authenticate their users themselves; only inbound mail can be unverified.
    senderVerified:
      message.direction !== 'inbound' ||
      message.senderVerification === null ||
      message.senderVerification === 'pass' ||
      message.senderVerification === 'reply_token',
    senderVerification: message.senderVerification ?? undefined,
    author: message.author,
    subject: message.subject,
    newText: message.newText,
    fullText: message.fullText,
    receivedAt: message.receivedAt,
    createdAt: message.createdAt,
    attachments: files.map((a) => ({
      id: a.id,
      filename: a.filename,
      contentType: a.contentType,
      size: a.size,
      kept: a.kept,
      omittedReason: a.omittedReason,
    })),
    deliveries: sends.map((d) => ({
      id: d.id,
      channel: d.channel,
      recipient: d.recipientAddress,
      status: d.status,
      attempts: d.attempts,
      lastError: d.lastError,
      sentAt: d.sentAt,
    })),
  };
}

/** A delivery as `GET /deliveries` lists it: everything but the payload. */
export const deliveryView = z.object({
  id,
  messageId: id,
  channel: z.string(),
  recipientKind: z.string(),
  recipientAddress: z.string(),
  automatic: z.boolean(),
  purpose: z.string().nullable(),
  status: z.string(),
  attempts: z.number().int(),
  lastError: z.string().nullable(),
  externalId: z.string().nullable(),
  extraExternalIds: z.array(z.string()).nullable(),
  nextAttemptAt: time.nullable().describe('when due again; while `sending`, the end of the lease'),
  sentAt: time.nullable(),
  createdAt: time,
});

export const alertView = z.object({
  id,
  kind: z.string(),
  ticketId: id.nullable(),
  text: z.string(),
  data: z.unknown(),
  acknowledgedAt: time.nullable(),
  createdAt: time,
});

/** `{ description, content }` for a JSON response, the form `fastify-type-provider-zod` documents. */
export function json(description: string, schema: z.ZodType) {
  return { description, content: { 'application/json': { schema } } };
}

/** The error responses every `/api/v1` route can give, plus the ones a route adds. */
export function errors(more: Partial<Record<403 | 404 | 409, string>> = {}) {
  const out: Record<number, ReturnType<typeof json>> = {
    400: json('Invalid input: `fields` maps each bad field to what is wrong', apiError),
    401: json('No or wrong bearer token', apiError),
    500: json('Internal error: `errorId` finds it in the server log', apiError),
  };
  for (const [status, description] of Object.entries(more)) out[Number(status)] = json(description, apiError);
  return out;
}
