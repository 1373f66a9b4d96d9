import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { addClosure, listClosures, removeClosure } from '../core/closures.js';
import type { CoreContext } from '../core/core-context.js';
import { dateField } from '../core/date-bounds.js';
import { errors, json } from './responses.js';

/** Format and supported calendar here; today to 3 years ahead is checked by addClosure (its clock). */
const closureDate = dateField();

const closureView = z.object({
  date: z.string(),
  reason: z.string().nullable(),
  source: z.enum(['setting', 'staff']),
  createdBy: z.string().optional(),
});

const changed = json(
  'Done; `moved` counts the open tickets whose first-contact deadline moved',
  z.object({ moved: z.number().int() }),
);

/**
 * `/api/v1/closures`: days the business is closed beyond public holidays (#23). Adding or removing
 * one moves the first-contact deadlines still running (README, "First contact").
 */
export function registerClosureRoutes(server: FastifyInstance, core: CoreContext): void {
  const api = server.withTypeProvider<ZodTypeProvider>();
  api.get(
    '/closures',
    {
      schema: {
        summary: 'Closures: the EXTRA_CLOSURES setting and those staff added',
        response: {
          200: json('Closures by date', z.object({ closures: z.array(closureView) })),
          ...errors(),
        },
      },
    },
    async () => ({ closures: await listClosures(core) }),
  );
  api.post(
    '/closures',
    {
      schema: {
        summary: 'Close the business on a day; running first-contact deadlines move',
        body: z.object({ date: closureDate, reason: z.string().max(200).optional() }),
        response: { 201: changed, ...errors({ 409: 'The day is already a closure' }) },
      },
    },
    async (request, reply) => {
      const result = await addClosure(core, request.body, 'api');
      return reply.code(201).send(result);
    },
  );
  api.delete(
    '/closures/:date',
    {
      schema: {
        summary: 'Open again a day closed by staff; running first-contact deadlines move back',
        params: z.object({ date: closureDate }),
        response: {
          200: changed,
          ...errors({ 404: 'No such closure', 409: 'The day is closed by the EXTRA_CLOSURES setting' }),
        },
      },
    },
    async (request) => removeClosure(core, request.params.date, 'api'),
  );
}
