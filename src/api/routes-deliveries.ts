import { z } from 'zod';
import type { CoreContext } from '../core/core-context.js';
import { listDeliveriesByStatus } from '../core/staff-views.js';
import { deliveryView, errors, json } from './responses.js';
import { deliveryListQuery } from './schemas.js';
import type { ZodApi } from './zod-api.js';

/** `GET /api/v1/deliveries?status=`: outbound deliveries by status, or the stuck ones. */
export function registerDeliveryRoutes(api: ZodApi, core: CoreContext): void {
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
      const { status, limit, offset } = request.query;
      const rows = await listDeliveriesByStatus(core, status, { limit, offset });
      return { deliveries: rows };
    },
  );
}
