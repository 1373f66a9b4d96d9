import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { CoreContext } from '../core/core-context.js';
import { executeErasure, listErasureRequests } from '../core/erasure.js';
import { errors, json } from './responses.js';
import { idParam, storedText } from './schemas.js';

const id = z.string().regex(/^\d+$/);
const time = z.iso.datetime({ offset: true });

const erasureRequestView = z.object({
  id,
  customerId: id,
  status: z.enum(['requested', 'done', 'refused']),
  reason: z.string().nullable(),
  requestedAt: time,
  decidedAt: time.nullable(),
  decidedBy: z.string().nullable(),
});

const summaryView = z.object({
  messages: z.number().int(),
  attachments: z.number().int(),
  deliveries: z.number().int(),
  identities: z.number().int(),
  keptInvoicingIdentity: z.boolean(),
});

/**
 * `/api/v1/erasure-requests`: customers' requests to erase their data (T8), asked from the portal;
 * staff carry one out here (the dashboard calls the same core function). What is erased and what
 * the law makes us keep: docs/erasure.md.
 */
export function registerErasureRoutes(server: FastifyInstance, core: CoreContext): void {
  const api = server.withTypeProvider<ZodTypeProvider>();
  api.get(
    '/erasure-requests',
    {
      schema: {
        summary: 'Erasure requests (T8), oldest first; `status=requested` for those waiting for staff',
        querystring: z.object({ status: z.enum(['requested', 'done', 'refused']).optional() }),
        response: {
          200: json('Requests', z.object({ erasureRequests: z.array(erasureRequestView) })),
          ...errors(),
        },
      },
    },
    async (request) => ({ erasureRequests: await listErasureRequests(core, request.query.status) }),
  );
  api.post(
    '/erasure-requests/:id/execute',
    {
      schema: {
        summary:
          "Carry out an erasure request: the customer's messages, files, sign-in and identities are erased; billed time, invoicing identity and consent evidence are kept (docs/erasure.md). Audited.",
        params: z.object({ id: idParam() }),
        body: z.object({ author: storedText().trim().min(1).max(100) }),
        response: {
          200: json(
            'Done: the request, and what was erased',
            z.object({ erasureRequest: erasureRequestView, erased: summaryView }),
          ),
          ...errors({
            404: 'No such request',
            409: 'Already decided, or a ticket of the customer is not closed yet (the message names it)',
          }),
        },
      },
    },
    async (request) => {
      const { request: done, summary } = await executeErasure(
        core,
        BigInt(request.params.id),
        `technician:${request.body.author}`,
      );
      return { erasureRequest: done, erased: summary };
    },
  );
}
