import { z } from 'zod';
import { MAX_INT32, MAX_SAFE_ID, parseIdNumber } from '../core/id-numbers.js';
import { TICKET_STATUSES } from '../core/lifecycle.js';
import { DELIVERY_STATUSES } from '../core/outbox/status.js';

/**
 * Request shapes of the REST API. Each route names these in its `schema`; Fastify validates with
 * them (`fastify-type-provider-zod`) and `@fastify/swagger` builds the OpenAPI document from them.
 */

/** Half of a UTF-16 surrogate pair: encoded to UTF-8 it would be stored as U+FFFD, silently. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Whether `value` can be stored as PostgreSQL text: no NUL, no half of a surrogate pair. */
export const isStorableText = (value: string): boolean =>
  !value.includes('\u0000') && !LONE_SURROGATE.test(value);

/**
 * A string that can be stored as PostgreSQL text. Every free-text field of a body (and of a staff
 * page's query or form) uses it, so a NUL or a broken surrogate is a 400 naming the field rather
 * than a database error. `message`: the refusal's text (the staff pages pass Italian and English).
 */
export const storedText = (
  message = 'contains a NUL character or invalid Unicode (a lone surrogate); remove it',
) => z.string().refine(isStorableText, { message });

/**
 * A whole number in a query string, `min`…`max`: decimal digits only, so `1e3`, `0x10`, `5.0` or
 * ` 5` is a 400 naming the parameter, never read as another number.
 */
export const queryInteger = (min: number, max: number) =>
  z
    .string()
    .regex(/^[0-9]{1,16}$/, { message: 'must be decimal digits' })
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));

export const paging = z.object({
  limit: queryInteger(1, 500).default(50),
  offset: queryInteger(0, MAX_SAFE_ID).default(0),
});

/**
 * A path param that is a ticket number or row id: decimal digits only, 1…`max` ({@link parseIdNumber});
 * `1e3`, `0x3e8` or a number past the column is a 400, never another row or a database error.
 */
export const idParam = (max: number = MAX_SAFE_ID) =>
  z
    .string()
    .regex(/^[0-9]{1,16}$/, { message: 'must be decimal digits' })
    .refine((text) => parseIdNumber(text, { max }) !== undefined, { message: `must be between 1 and ${max}` })
    .transform(Number);

export const ticketListQuery = paging.extend({
  status: z.enum(TICKET_STATUSES).optional(),
  customerId: idParam().optional(),
});

/** Ticket numbers are PostgreSQL `integer`s: a larger one is a 400, not a database error. */
export const ticketNumberParams = z.object({ number: idParam(MAX_INT32) });
export const customerIdParams = z.object({ id: idParam() });

export const technicianMessageBody = z.object({
  author: storedText().trim().min(1).max(100),
  text: storedText().trim().min(1, { message: 'the text is empty' }).max(20_000),
  internal: z.boolean().default(false),
  status: z.enum(TICKET_STATUSES).optional(),
});

export const statusChangeBody = z.object({
  author: storedText().trim().min(1).max(100),
  status: z.enum(TICKET_STATUSES),
});

export const identityInput = z.object({
  kind: z.enum(['email', 'telegram', 'slack', 'web']),
  address: storedText().trim().min(1).max(320),
  verified: z.boolean().default(true),
  displayName: storedText().max(200).optional(),
});

export const newCustomerBody = z
  .object({
    name: storedText().trim().min(1).max(200),
    kind: z.enum(['person', 'company']).default('person'),
    vatNumber: z
      .string()
      .regex(/^(IT)?\d{11}$/, { message: 'an Italian VAT number has 11 digits' })
      .optional(),
    taxCode: z
      .string()
      .regex(/^([A-Z0-9]{16}|\d{11})$/i, { message: 'a tax code has 16 characters (or 11 digits)' })
      .optional(),
    phone: storedText().max(40).optional(),
    locale: z.enum(['it', 'en']).default('it'),
    quickAccess: z.boolean().default(false),
    acceptedTermsVersion: storedText().max(50).optional(),
    hourlyRateCents: z.number().int().min(0).max(10_000_000).nullable().optional(),
    status: z.enum(['pending', 'active']).default('pending'),
    identities: z.array(identityInput).min(1, { message: 'give at least one identity' }).max(20),
  })
  .superRefine((value, ctx) => {
    value.identities.forEach((identity, i) => {
      // Text that cannot be stored already has its own error on this field.
      if (identity.address.includes('\u0000') || LONE_SURROGATE.test(identity.address)) return;
      if (identity.kind === 'email' && !z.email().safeParse(identity.address).success) {
        ctx.addIssue({ code: 'custom', path: ['identities', i, 'address'], message: 'not an email address' });
      }
      // What the channels match senders by: Telegram's numeric user id (it fits in 52 bits,
      // core.telegram.org/bots/api#user), Slack's member id.
      if (
        identity.kind === 'telegram' &&
        parseIdNumber(identity.address, { max: 2 ** 52 - 1 }) === undefined
      ) {
        ctx.addIssue({
          code: 'custom',
          path: ['identities', i, 'address'],
          message: 'a Telegram identity is the numeric user id (like 123456789), not a @username',
        });
      }
      if (identity.kind === 'slack' && !/^[UW][A-Z0-9]{2,}$/.test(identity.address)) {
        ctx.addIssue({
          code: 'custom',
          path: ['identities', i, 'address'],
          message: 'a Slack identity is the member id (like U0123ABCD)',
        });
      }
    });
  });

/** The body may be absent (Fastify passes null): a Telegram link by default. */
export const linkCodeBody = z.preprocess(
  (body) => body ?? {},
  z.object({ kind: z.enum(['telegram', 'slack']).default('telegram') }),
);

/** `stuck`: pending and due for over two minutes (or leased past its lease): nothing is moving it. */
export const deliveryListQuery = paging.extend({
  status: z.enum([...DELIVERY_STATUSES, 'stuck'], {
    message: `use one of ${[...DELIVERY_STATUSES, 'stuck'].join(', ')}`,
  }),
});
