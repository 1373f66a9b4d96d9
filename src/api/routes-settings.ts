import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { CoreContext } from '../core/core-context.js';
import { type EffectiveSettings, loadSettings, updateSettings } from '../core/settings.js';
import { listTermsVersions, publishTermsVersion } from '../core/terms.js';
import { errors, json } from './responses.js';

const values = z.object({
  businessHours: z.string().describe('opening ranges of every working day, e.g. 09:00-12:00,15:00-18:00'),
  workingDays: z
    .array(z.number().int())
    .describe('ISO weekdays open for business, 1 = Monday … 7 = Sunday; default [1,2,3,4,5]'),
  weekdayHours: z
    .record(z.string(), z.string())
    .describe('working days with ranges of their own, by ISO weekday, e.g. {"6": "09:00-12:00"}'),
  remoteToolName: z.string(),
  remoteToolUrl: z.string(),
  hourlyRateCents: z.number().int().describe('default rate, cents per hour, VAT excluded'),
  vatPercent: z.number().int(),
});

export const settingsView = z.object({
  values: values.describe('what the helpdesk uses now'),
  defaults: values.describe('the environment values, used for a setting not stored'),
  stored: z
    .record(z.string(), z.object({ updatedBy: z.string(), updatedAt: z.iso.datetime({ offset: true }) }))
    .describe('settings stored in the database: who changed them last, and when'),
});

// Types only: the core checks each value and answers 400 with `fields` naming the bad ones.
const settingsChange = z
  .object({
    businessHours: z.string().max(200).nullable(),
    workingDays: z.array(z.number()).max(7).nullable(),
    weekdayHours: z.record(z.string(), z.string().max(200)).nullable(),
    remoteToolName: z.string().max(200).nullable(),
    remoteToolUrl: z.string().max(1000).nullable(),
    hourlyRateCents: z.number().nullable(),
    vatPercent: z.number().nullable(),
  })
  .partial()
  .strict()
  .describe('the settings to change; null: back to the environment value');

export const termsVersionView = z.object({
  id: z.string(),
  version: z.string(),
  locale: z.string(),
  body: z.string(),
  publishedAt: z.iso.datetime({ offset: true }),
  customers: z.number().int(),
  current: z.boolean(),
});

const view = (s: EffectiveSettings) => s;

/**
 * `/api/v1/settings` (#25): the settings stored in the database over the environment's defaults,
 * effective at once; and `/api/v1/terms-versions`, publishing a new version of the terms (T9).
 */
export function registerSettingsRoutes(server: FastifyInstance, core: CoreContext): void {
  const api = server.withTypeProvider<ZodTypeProvider>();
  api.get(
    '/settings',
    {
      schema: {
        summary: 'The settings in effect, their environment defaults, and which are stored',
        response: { 200: json('Settings', settingsView), ...errors() },
      },
    },
    async () => view(await loadSettings(core)),
  );
  api.put(
    '/settings',
    {
      schema: {
        summary:
          'Change settings; effective at once, audit-logged; business hours and days move running deadlines',
        body: settingsChange,
        response: { 200: json('Settings after the change', settingsView), ...errors() },
      },
    },
    async (request) => view(await updateSettings(core, request.body, 'api')),
  );
  api.get(
    '/terms-versions',
    {
      schema: {
        summary: 'Published terms versions, newest (current) first',
        response: { 200: json('Versions', z.object({ versions: z.array(termsVersionView) })), ...errors() },
      },
    },
    async () => ({ versions: await listTermsVersions(core) }),
  );
  api.post(
    '/terms-versions',
    {
      schema: {
        summary: 'Publish a new terms version; customers accept it at their next portal visit',
        body: z.object({
          version: z.string().max(100),
          body: z.string().max(400_000),
          locale: z.enum(['it', 'en']).optional(),
        }),
        response: { 201: json('The published version', termsVersionView), ...errors() },
      },
    },
    async (request, reply) => reply.code(201).send(await publishTermsVersion(core, request.body, 'api')),
  );
}
