import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { CoreContext } from '../core/core-context.js';
import { MAX_SAFE_ID } from '../core/id-numbers.js';
import { linkUnmatchedMessage, openTicketFromUnmatched } from '../core/unmatched.js';
import { errors, json } from './responses.js';
import { idParam } from './schemas.js';

const messageIdParams = z.object({ id: idParam() });

/**
 * `POST /api/v1/unmatched/:id/link` and `/unmatched/:id/ticket` (#25): the staff dashboard's
 * actions on unmatched messages, through the same core functions (src/core/unmatched.ts).
 */
export function registerUnmatchedRoutes(api: ZodApi, core: CoreContext): void {
  api.post(
    '/unmatched/:id/link',
    {
      schema: {
        summary:
          "Link an unmatched message to a customer: its sender becomes one of the customer's verified identities",
        params: messageIdParams,
        body: z.object({ customerId: z.number().int().positive().max(MAX_SAFE_ID) }),
        response: {
          200: json('Linked', z.object({ linked: z.literal(true) })),
          ...errors({
            404: 'No such unmatched message or customer',
            409: "The sender is another customer's",
          }),
        },
      },
    },
    async (request) => {
      await linkUnmatchedMessage(core, BigInt(request.params.id), BigInt(request.body.customerId), 'api');
      return { linked: true as const };
    },
  );

  api.post(
    '/unmatched/:id/ticket',
    {
      schema: {
        summary: 'Open a ticket with an unmatched message already linked to a customer',
        params: messageIdParams,
        response: {
          201: json('The new ticket', z.object({ ticketNumber: z.number().int() })),
          ...errors({ 404: 'No such unmatched message', 409: 'The message is not linked to a customer' }),
        },
      },
    },
    async (request, reply) => {
      const ticketNumber = await openTicketFromUnmatched(core, BigInt(request.params.id), 'api');
      return reply.code(201).send({ ticketNumber });
    },
  );
}

/** The server as routes see it: typed by their zod schemas. */
type ZodApi =
  ReturnType<FastifyInstance['withTypeProvider']> extends never ? never : ReturnType<typeof zodApi>;

function zodApi(server: FastifyInstance) {
  return server.withTypeProvider<ZodTypeProvider>();
}
