import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';

/** The server as routes see it: typed by their zod schemas (validation and OpenAPI from them). */
export type ZodApi = ReturnType<typeof zodApi>;

function zodApi(server: FastifyInstance) {
  return server.withTypeProvider<ZodTypeProvider>();
}
