import { randomUUID } from 'node:crypto';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import { hasZodFastifySchemaValidationErrors, validatorCompiler } from 'fastify-type-provider-zod';
import type { ApiTokenCheck } from '../core/api-token.js';
import { feedFor } from '../core/calendar-feed.js';
import type { CoreContext } from '../core/core-context.js';
import { errorSummary, HelpdeskError } from '../core/errors.js';
import type { ChannelHealth } from '../core/outbox/channel-health.js';
import { channelReports } from '../core/outbox/outbox-health.js';
import type { JobQueue } from '../jobs/job-queue.js';
import type { Logger } from '../logger.js';
import { API_PREFIX, openApiOnDemand } from './openapi-document.js';
import { type LinkBuilder, registerV1Routes } from './routes-v1.js';

/** JSON with bigint ids as strings and no undefined noise. */
export function toJson(payload: unknown): string {
  return JSON.stringify(payload, (_key, value) => (typeof value === 'bigint' ? value.toString() : value));
}

function tokenMatches(request: FastifyRequest, apiToken: ApiTokenCheck): boolean {
  const header = request.headers.authorization ?? '';
  const match = /^Bearer\s+(.+)$/i.exec(header);
  return match ? apiToken.matches(match[1]!.trim()) : false;
}

/** A channel adapter that receives HTTP requests (Telegram webhook, Slack events). */
export interface HttpRouteProvider {
  registerRoutes(server: FastifyInstance): void;
}

export function hasHttpRoutes(value: object): value is HttpRouteProvider {
  return typeof (value as Partial<HttpRouteProvider>).registerRoutes === 'function';
}

/** HTTP status of the errors a request can meet on purpose; any other error is a 500. */
const STATUS_BY_CODE: Record<string, number> = {
  NOT_FOUND: 404,
  INVALID_TRANSITION: 409,
  CONFLICT: 409,
};

/** Body of a request validation failure: each bad field, as a dotted path, with what is wrong. */
function validationFailure(error: FastifyError): { fields: Record<string, string> } {
  const fields: Record<string, string> = {};
  for (const issue of error.validation ?? []) {
    fields[issue.instancePath.slice(1).replaceAll('/', '.') || `(${error.validationContext ?? 'body'})`] =
      issue.message ?? 'invalid';
  }
  return { fields };
}

/**
 * One place from error to HTTP answer: request validation is a 400 naming the fields, a
 * `HelpdeskError` with a known code its status, Fastify's own request errors (bad JSON, too
 * large) theirs; anything else is a 500 whose `errorId` is in the log line with the cause.
 */
function sendError(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  if (hasZodFastifySchemaValidationErrors(error)) {
    return reply.code(400).send({
      error: 'validation_failed',
      message: 'some fields are not valid',
      ...validationFailure(error),
    });
  }
  if (error instanceof HelpdeskError && STATUS_BY_CODE[error.code]) {
    return reply
      .code(STATUS_BY_CODE[error.code]!)
      .send({ error: error.code.toLowerCase(), message: error.message });
  }
  const status = error.statusCode;
  if (error.code?.startsWith('FST_') && status && status >= 400 && status < 500) {
    return reply.code(status).send({ error: 'bad_request', message: error.message });
  }
  const errorId = randomUUID();
  request.log.error({ errorId, reason: errorSummary(error) }, 'request failed');
  return reply
    .code(500)
    .send({ error: 'internal', message: `internal error; see the server log for ${errorId}`, errorId });
}

/**
 * The web server: `/healthz`, and the REST API under `/api/v1` behind `Authorization: Bearer`.
 * Later the registration form, the portal and the Telegram/Slack webhooks hang off this server.
 */
export async function buildApiServer(deps: {
  core: CoreContext;
  queue: JobQueue;
  apiToken: ApiTokenCheck;
  logger: Logger;
  linkFor?: LinkBuilder;
  /** Send outcomes per channel; `/healthz` reports each of `channels` when given. */
  channelHealth?: ChannelHealth;
  channels?: () => readonly string[];
}): Promise<FastifyInstance> {
  const server: FastifyInstance = Fastify({
    // Request lines are info-level noise; errors and warnings still reach the log.
    loggerInstance: deps.logger.child({ component: 'http' }, { level: 'warn' }) as FastifyBaseLogger,
    bodyLimit: 1024 * 1024,
  });
  server.setReplySerializer((payload) => toJson(payload));

  server.setErrorHandler(sendError);
  const openApiDocument = openApiOnDemand(server);

  server.get('/healthz', async (_request, reply) => {
    let database = 'ok';
    try {
      await deps.core.database.sql.query('select 1');
    } catch (error) {
      database = `error: ${(error as Error).message}`;
    }
    const queue = deps.queue.health();
    const ok = database === 'ok' && queue.ok;
    // A channel that is down is reported, not a reason to restart this process.
    const channels =
      database === 'ok' && deps.channelHealth
        ? await channelReports(deps.core, deps.channelHealth, deps.channels?.() ?? [])
        : undefined;
    return reply.code(ok ? 200 : 503).send({
      status: ok ? 'ok' : 'unhealthy',
      database,
      queue: queue.ok ? 'ok' : `error: ${queue.detail}`,
      store: deps.core.database.kind,
      channels,
      expiredLeases: deps.channelHealth?.expiredLeases,
    });
  });

  // A technician's private ICS feed (#23): the token in the path is the credential.
  server.get<{ Params: { file: string } }>('/calendar/:file', async (request, reply) => {
    const token = /^([A-Za-z0-9_-]{20,100})\.ics$/.exec(request.params.file)?.[1];
    const feed = token ? await feedFor(deps.core, token) : undefined;
    if (!feed) return reply.code(404).send({ error: 'not_found', message: 'no such calendar feed' });
    return reply
      .header('cache-control', 'private, max-age=300')
      .type('text/calendar; charset=utf-8')
      .send(feed);
  });

  server.get(`${API_PREFIX}/openapi.json`, async (_request, reply) =>
    reply.type('application/json').send(await openApiDocument()),
  );

  await server.register(
    async (api) => {
      api.setValidatorCompiler(validatorCompiler);
      // Response schemas describe the answers in the OpenAPI document; bodies are written as JSON
      // by `toJson` (bigint ids as strings), so no schema-built serializer is compiled for them.
      api.setSerializerCompiler(() => toJson);
      api.addHook('onRequest', async (request, reply) => {
        if (request.url.startsWith(`${API_PREFIX}/openapi.json`)) return;
        if (!tokenMatches(request, deps.apiToken)) {
          await reply
            .code(401)
            .header('www-authenticate', 'Bearer')
            .send({ error: 'unauthorized', message: 'send Authorization: Bearer <API_TOKEN>' });
        }
      });
      registerV1Routes(api, deps.core, deps.linkFor);
    },
    { prefix: API_PREFIX },
  );
  return server;
}
