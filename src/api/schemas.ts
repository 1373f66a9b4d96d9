import { z } from 'zod';
import { TICKET_STATUSES } from '../core/lifecycle.js';

/** Request shapes of the REST API; the OpenAPI document is generated from these. */

export const ticketListQuery = z.object({
  status: z.enum(TICKET_STATUSES).optional(),
  customerId: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});

export const ticketNumberParams = z.object({ number: z.coerce.number().int().positive() });
export const customerIdParams = z.object({ id: z.coerce.number().int().positive() });

export const technicianMessageBody = z.object({
  author: z.string().trim().min(1).max(100),
  text: z.string().trim().min(1, { message: 'the text is empty' }).max(20_000),
  internal: z.boolean().default(false),
  status: z.enum(TICKET_STATUSES).optional(),
});

export const statusChangeBody = z.object({
  author: z.string().trim().min(1).max(100),
  status: z.enum(TICKET_STATUSES),
});

export const identityInput = z.object({
  kind: z.enum(['email', 'telegram', 'slack', 'web']),
  address: z.string().trim().min(1).max(320),
  verified: z.boolean().default(true),
  displayName: z.string().max(200).optional(),
});

export const newCustomerBody = z
  .object({
    name: z.string().trim().min(1).max(200),
    kind: z.enum(['person', 'company']).default('person'),
    vatNumber: z
      .string()
      .regex(/^(IT)?\d{11}$/, { message: 'an Italian VAT number has 11 digits' })
      .optional(),
    taxCode: z
      .string()
      .regex(/^([A-Z0-9]{16}|\d{11})$/i, { message: 'a tax code has 16 characters (or 11 digits)' })
      .optional(),
    phone: z.string().max(40).optional(),
    locale: z.enum(['it', 'en']).default('it'),
    quickAccess: z.boolean().default(false),
    acceptedTermsVersion: z.string().max(50).optional(),
    hourlyRateCents: z.number().int().min(0).max(10_000_000).nullable().optional(),
    status: z.enum(['pending', 'active']).default('pending'),
    identities: z.array(identityInput).min(1, { message: 'give at least one identity' }).max(20),
  })
  .superRefine((value, ctx) => {
    value.identities.forEach((identity, i) => {
      if (identity.kind === 'email' && !z.email().safeParse(identity.address).success) {
        ctx.addIssue({ code: 'custom', path: ['identities', i, 'address'], message: 'not an email address' });
      }
    });
  });

export const paging = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});

export const linkCodeBody = z.object({ kind: z.enum(['telegram', 'slack']).default('telegram') });
