import { z } from 'zod';
import { parseDuration } from '../core/billing/duration.js';
import { ENTRY_KINDS } from '../core/billing/pricing.js';
import { dateField, instantField, monthField } from '../core/date-bounds.js';
import { MAX_INT32 } from '../core/id-numbers.js';
import { idParam, storedText } from './schemas.js';

/** Request and response shapes of the billing routes (issue #24). */

const id = z.string().regex(/^\d+$/).describe('a bigint id, as a decimal string');
const time = z.iso.datetime({ offset: true });
const localDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, { message: 'a date like 2026-03-31' });

/** Minutes as a number, or a duration as technicians type it (`1h30`, `90m`, `1:30`, `1,5h`). */
const minutes = z.union([
  z.number().int().min(1).max(1440),
  z.string().transform((text, ctx) => {
    const value = parseDuration(text);
    if (value === undefined) {
      ctx.addIssue({ code: 'custom', message: 'not a duration: use 1h30, 90m, 1:30 or 1,5h (at most 24 h)' });
      return z.NEVER;
    }
    return value;
  }),
]);

export const timeEntryParams = z.object({
  number: idParam(MAX_INT32),
  entryId: idParam(),
});

export const newTimeEntryBody = z.object({
  technician: storedText().trim().min(1).max(100),
  minutes: minutes.describe('whole minutes (1–1440) or a duration such as "1h30"'),
  kind: z.enum(ENTRY_KINDS).default('remote'),
  startedAt: instantField()
    .optional()
    .describe(
      'ISO 8601 with offset, from 2000-01-01, at most 1 h from now; default: the duration before now',
    ),
  billable: z.boolean().default(true),
  note: storedText().max(2000).default(''),
});

export const timeEntryPatchBody = z.object({
  technician: storedText()
    .trim()
    .min(1)
    .max(100)
    .describe('who corrects: only the entry’s own technician may'),
  minutes: minutes.optional(),
  kind: z.enum(ENTRY_KINDS).optional(),
  startedAt: instantField().optional(),
  billable: z.boolean().optional(),
  note: storedText().max(2000).optional(),
  status: z.literal('confirmed').optional().describe('confirm a timer that stopped itself'),
});

export const technicianQuery = z.object({ technician: storedText().trim().min(1).max(100) });

export const contractBody = z.object({
  hourlyRateCents: z.number().int().min(0).max(10_000_000).nullable(),
  rounding: z.discriminatedUnion('mode', [
    z.object({ mode: z.literal('none') }),
    z.object({
      mode: z.literal('block'),
      minutes: z.number().int().min(1).max(480),
      scope: z.enum(['ticket', 'entry']).default('ticket'),
    }),
  ]),
  minimumMinutes: z.number().int().min(0).max(1440).default(0),
  outOfHoursSurchargePercent: z.number().int().min(0).max(500).default(0),
});

export const prepaidBody = z
  .object({
    minutes: minutes,
    validFrom: dateField(),
    validUntil: dateField(),
    note: storedText().max(500).optional(),
  })
  .refine((p) => p.validFrom <= p.validUntil, {
    message: 'validUntil is before validFrom',
    path: ['validUntil'],
  });

export const hoursReportQuery = z.object({
  month: monthField(),
  customerId: idParam().optional(),
  format: z.enum(['json', 'csv']).default('json'),
});

export const exportBody = z.object({
  month: monthField(),
  customerId: z.number().int().positive().optional(),
  author: storedText().trim().min(1).max(100),
});

export const statementsBody = exportBody.extend({ resend: z.boolean().default(false) });

export const summaryBody = z.preprocess(
  (body) => body ?? {},
  z.object({
    toCustomer: z.boolean().default(false),
    author: storedText().trim().min(1).max(100).default('api'),
  }),
);

export const timeEntryView = z.object({
  id,
  ticketId: id,
  technician: z.string(),
  startedAt: time,
  minutes: z.number().int().nullable(),
  kind: z.enum(ENTRY_KINDS),
  billable: z.boolean(),
  note: z.string(),
  status: z.enum(['running', 'unconfirmed', 'confirmed']),
  source: z.string(),
  billedAt: time.nullable(),
  billingExportId: id.nullable(),
  createdAt: time,
  updatedAt: time,
});

const billView = z.object({
  lines: z.array(
    z.object({
      entryId: id,
      startedAt: time,
      localDate,
      kind: z.enum(ENTRY_KINDS),
      billable: z.boolean(),
      rawMinutes: z.number().int(),
      billedMinutes: z.number().int(),
      prepaidMinutes: z.number().int(),
    }),
  ),
  rawMinutes: z.number().int(),
  billedMinutes: z.number().int(),
  prepaidMinutes: z.number().int(),
  chargeableMinutes: z.number().int(),
  hourlyRateCents: z.number().int(),
  timeCents: z.number().int(),
  outOfHoursMinutes: z.number().int(),
  surchargePercent: z.number().int(),
  surchargeCents: z.number().int(),
  netCents: z.number().int(),
  vatPercent: z.number().int(),
  vatCents: z.number().int(),
  totalCents: z.number().int(),
});

export const ticketTimeView = z.object({
  entries: z.array(timeEntryView),
  bill: billView,
  prepaidLeftMinutes: z.number().int(),
});

export const contractView = z.object({
  customerId: id,
  hourlyRateCents: z.number().int().nullable(),
  effectiveHourlyRateCents: z.number().int(),
  rounding: contractBody.shape.rounding,
  minimumMinutes: z.number().int(),
  outOfHoursSurchargePercent: z.number().int(),
  prepaid: z.array(
    z.object({
      id,
      minutes: z.number().int(),
      minutesLeft: z.number().int(),
      validFrom: localDate,
      validUntil: localDate,
      note: z.string().nullable(),
    }),
  ),
});

export const hoursReportView = z.object({
  month: z.string(),
  vatPercent: z.number().int(),
  netCents: z.number().int(),
  vatCents: z.number().int(),
  totalCents: z.number().int(),
  customers: z.array(
    z.object({
      customerId: id,
      name: z.string(),
      netCents: z.number().int(),
      vatCents: z.number().int(),
      totalCents: z.number().int(),
      notYetBilled: z
        .object({ netCents: z.number().int(), vatCents: z.number().int(), totalCents: z.number().int() })
        .nullable()
        .describe('Work of the month not exported yet (a late entry): invoice only this'),
      tickets: z.array(
        z.object({
          ticketNumber: z.number().int(),
          subject: z.string(),
          billed: z.boolean(),
          bill: billView,
        }),
      ),
    }),
  ),
});
