import { and, asc, desc, eq, getTableColumns, inArray, lte, sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { CoreContext } from '../core/core-context.js';
import { DEGRADED_AFTER_MS } from '../core/outbox/outbox-health.js';
import { PENDING_STATUSES } from '../core/outbox/status.js';
import { deliveries } from '../db/schema.js';
import { deliveryView, errors, json } from './responses.js';
import { deliveryListQuery } from './schemas.js';

/** `GET /api/v1/deliveries?status=`: outbound deliveries by status, or the stuck ones. */
export function registerDeliveryRoutes(api: ZodApi, core: CoreContext): void {
  const db = core.database.db;
  api.get(
    '/deliveries',
    {
      schema: {
        summary: 'Deliveries by status; `stuck` lists pending ones due for over two minutes, oldest first',
        querystring: deliveryListQuery,
        response: {
          200: json('Deliveries (payload left out)', z.object({ deliveries: z.array(deliveryView) })),
          ...errors(),
        },
      },
    },
    async (request) => {
      const query = request.query;
      const stuckBefore = new Date(core.now().getTime() - DEGRADED_AFTER_MS);
      const where =
        query.status === 'stuck'
          ? and(
              inArray(deliveries.status, [...PENDING_STATUSES]),
              lte(sql`coalesce(${deliveries.nextAttemptAt}, ${deliveries.createdAt})`, stuckBefore),
            )
          : eq(deliveries.status, query.status);
      const { payload: _payload, ...columns } = getTableColumns(deliveries);
      const rows = await db
        .select(columns)
        .from(deliveries)
        .where(where)
        .orderBy(query.status === 'stuck' ? asc(deliveries.id) : desc(deliveries.id))
        .limit(query.limit)
        .offset(query.offset);
      return { deliveries: rows };
    },
  );
}

/** The server as routes see it: typed by their zod schemas. */
type ZodApi =
  ReturnType<FastifyInstance['withTypeProvider']> extends never ? never : ReturnType<typeof zodApi>;

function zodApi(server: FastifyInstance) {
  return server.withTypeProvider<ZodTypeProvider>();
}
