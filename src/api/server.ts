import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
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
import type { BackgroundFailure } from '../core/channel.js';
import type { CoreContext } from '../core/core-context.js';
import { errorSummary } from '../core/errors.js';
import type { ChannelHealth } from '../core/outbox/channel-health.js';
import { channelReports } from '../core/outbox/outbox-health.js';
import { ping } from '../db/sql/ping.js';
import type { JobQueue } from '../jobs/job-queue.js';
import type { Logger } from '../logger.js';
import { clientErrorOf } from './error-status.js';
import { assertJsonDepth } from './json-depth.js';
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

type CompilerBuilder = (...args: unknown[]) => unknown;

/**
 * Fastify's default compilers (Ajv for validation, fast-json-stringify for responses), required on
 * the first route that needs one instead of when the server is built: every route with a schema
 * is under `/api/v1`, which compiles zod schemas and writes JSON with `toJson`, so an idle server
 * never needs them (~1.5 MB of heap; docs/performance.md#memory). Resolved from Fastify's own
 * dependencies, the same modules it would load itself.
 */
function lazyDefaultCompilers(): { buildValidator: CompilerBuilder; buildSerializer: CompilerBuilder } {
  const requireFromFastify = () => createRequire(createRequire(import.meta.url).resolve('fastify'));
  let validator: CompilerBuilder | undefined;
  let serializer: CompilerBuilder | undefined;
  return {
    buildValidator: (...args) => {
      validator ??= (requireFromFastify()('@fastify/ajv-compiler') as () => CompilerBuilder)();
      return validator(...args);
    },
    buildSerializer: (...args) => {
      serializer ??= (
        requireFromFastify()('@fastify/fast-json-stringify-compiler') as () => CompilerBuilder
      )();
      return serializer(...args);
    },
  };
}

/** Bytes of a request body under `/api/v1`, at most (413 over it). */
export const API_BODY_LIMIT_BYTES = 256 * 1024;

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
 * From error to HTTP answer: request validation is a 400 naming the fields; our errors get the
 * status src/api/error-status.ts gives their code; Fastify's own request errors (bad JSON, too
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
  const known = clientErrorOf(error);
  if (known)
    return reply
      .code(known.status)
      .send({ error: known.code, message: error.message, ...(known.fields ? { fields: known.fields } : {}) });
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
  /** A channel's own background work failing now (ChannelAdapter.backgroundFailure). */
  backgroundFailure?: (channel: string) => BackgroundFailure | undefined;
  /** Behind a reverse proxy: believe its X-Forwarded-* headers (TRUST_PROXY). */
  trustProxy?: boolean;
}): Promise<FastifyInstance> {
  const server: FastifyInstance = Fastify({
    trustProxy: deps.trustProxy ?? false,
    // Request lines are info-level noise; errors and warnings still reach the log.
    loggerInstance: deps.logger.child({ component: 'http' }, { level: 'warn' }) as FastifyBaseLogger,
    bodyLimit: 1024 * 1024,
    schemaController: { compilersFactory: lazyDefaultCompilers() as never },
  });
  server.setReplySerializer((payload) => toJson(payload));

  server.setErrorHandler(sendError);
  // JSON bodies are refused past MAX_JSON_DEPTH before they are parsed (json-depth.ts).
  const parseJson = server.getDefaultJsonParser('error', 'error');
  server.removeContentTypeParser('application/json');
  server.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    try {
      assertJsonDepth(body as string);
    } catch (error) {
      done(error as Error, undefined);
      return;
    }
    parseJson(request, body as string, done);
  });
  const openApiDocument = openApiOnDemand(server);

  server.get('/healthz', async (_request, reply) => {
    let database = 'ok';
    try {
      await ping(deps.core.database.sql);
    } catch (error) {
      database = `error: ${(error as Error).message}`;
    }
    const queue = deps.queue.health();
    const ok = database === 'ok' && queue.ok;
    // A channel that is down is reported, not a reason to restart this process.
    const channels =
      database === 'ok' && deps.channelHealth
        ? await channelReports(deps.core, deps.channelHealth, deps.channels?.() ?? [], deps.backgroundFailure)
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
      // The largest body a route takes is a 20,000-character text; parsing a 1 MB body of
      // 50,000 keys or 20,000 objects held the event loop 100–300 ms (issue 17).
      api.addHook('onRoute', (route) => {
        route.bodyLimit ??= API_BODY_LIMIT_BYTES;
      });
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
