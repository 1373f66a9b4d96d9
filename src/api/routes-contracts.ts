/** A customer's contract (rate, rounding, minimum, surcharge) and prepaid hours (issue #24). */
import { addPrepaidPackage, getContract, putContract } from '../core/billing/contracts.js';
import type { CoreContext } from '../core/core-context.js';
import { contractBody, contractView, prepaidBody } from './billing-schemas.js';
import { errors, json } from './responses.js';
import { customerIdParams } from './schemas.js';
import type { ZodApi } from './zod-api.js';

/** `/customers/:id/contract` and `/customers/:id/prepaid`. */
export function registerContractRoutes(api: ZodApi, core: CoreContext): void {
  const tx = { db: core.database.db, sql: core.database.sql };
  api.get(
    '/customers/:id/contract',
    {
      schema: {
        summary: "A customer's contract: rate, rounding, minimum, surcharge, prepaid hours left",
        params: customerIdParams,
        response: { 200: json('The contract', contractView), ...errors({ 404: 'No such customer' }) },
      },
    },
    async (request) => getContract(core, tx, BigInt(request.params.id)),
  );

  api.put(
    '/customers/:id/contract',
    {
      schema: {
        summary: "Set a customer's contract terms (hourlyRateCents null: the default rate)",
        params: customerIdParams,
        body: contractBody,
        response: { 200: json('The contract', contractView), ...errors({ 404: 'No such customer' }) },
      },
    },
    async (request) =>
      core.database.transaction((t) => putContract(core, t, BigInt(request.params.id), request.body, 'api')),
  );

  api.post(
    '/customers/:id/prepaid',
    {
      schema: {
        summary: 'Add a prepaid package ("monte ore") to a customer',
        params: customerIdParams,
        body: prepaidBody,
        response: { 201: json('The contract', contractView), ...errors({ 404: 'No such customer' }) },
      },
    },
    async (request, reply) => {
      const view = await core.database.transaction((t) =>
        addPrepaidPackage(core, t, BigInt(request.params.id), request.body, 'api'),
      );
      return reply.code(201).send(view);
    },
  );
}
