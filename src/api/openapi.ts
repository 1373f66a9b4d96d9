import { z } from 'zod';
import {
  deliveryListQuery,
  linkCodeBody,
  newCustomerBody,
  paging,
  statusChangeBody,
  technicianMessageBody,
  ticketListQuery,
} from './schemas.js';

function queryParameters(schema: z.ZodObject) {
  const json = z.toJSONSchema(schema, { io: 'input' }) as { properties?: Record<string, unknown> };
  return Object.entries(json.properties ?? {}).map(([name, s]) => ({ name, in: 'query', schema: s }));
}

const body = (schema: z.ZodType) => ({
  required: true,
  content: {
    'application/json': { schema: z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) },
  },
});

const errors = {
  '400': { description: 'Invalid input: `fields` maps each bad field to what is wrong' },
  '401': { description: 'No or wrong bearer token' },
};
const ticketNumber = { name: 'number', in: 'path', required: true, schema: { type: 'integer' } };

/** The OpenAPI 3.1 description of `/api/v1`, generated from the same zod schemas that validate. */
export function openApiDocument() {
  return {
    openapi: '3.1.0',
    info: { title: 'Helpdesk bot REST API', version: '1' },
    servers: [{ url: '/api/v1' }],
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    security: [{ bearer: [] }],
    paths: {
      '/tickets': {
        get: {
          summary: 'List tickets, newest first',
          parameters: queryParameters(ticketListQuery),
          responses: { '200': { description: '{ tickets: Ticket[] }' }, ...errors },
        },
      },
      '/tickets/{number}': {
        get: {
          summary: 'A ticket with its messages, attachments (metadata) and deliveries',
          parameters: [ticketNumber],
          responses: {
            '200': { description: '{ ticket, messages }' },
            '404': { description: 'No such ticket' },
            ...errors,
          },
        },
      },
      '/tickets/{number}/messages': {
        post: {
          summary: "Post a technician reply (sent in the customer's channel) or an internal note",
          parameters: [ticketNumber],
          requestBody: body(technicianMessageBody),
          responses: {
            '201': { description: '{ messageId, deliveryId }' },
            '404': { description: 'No such ticket' },
            '409': { description: 'Status change not allowed by the lifecycle' },
            ...errors,
          },
        },
      },
      '/tickets/{number}/status': {
        post: {
          summary: 'Change the status as the lifecycle allows',
          parameters: [ticketNumber],
          requestBody: body(statusChangeBody),
          responses: {
            '200': { description: '{ ticket }' },
            '409': { description: 'Not allowed' },
            ...errors,
          },
        },
      },
      '/customers': {
        get: {
          summary: 'Customers with their identities',
          responses: { '200': { description: '{ customers }' }, ...errors },
        },
        post: {
          summary: 'Create a customer with identities',
          requestBody: body(newCustomerBody),
          responses: {
            '201': { description: '{ customer }' },
            '409': { description: 'Identity taken' },
            ...errors,
          },
        },
      },
      '/customers/{id}/activate': {
        post: {
          summary: 'Activate a pending customer (starts the first-contact clock of their tickets)',
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'integer' } }],
          responses: {
            '200': { description: '{ customer }' },
            '404': { description: 'No such customer' },
            ...errors,
          },
        },
      },
      '/customers/{id}/link-code': {
        post: {
          summary:
            'A one-time code (24 h) linking a Telegram account to the customer: `link` is the t.me deep link',
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'integer' } }],
          requestBody: body(linkCodeBody),
          responses: {
            '201': { description: '{ code, link, startCommand }' },
            '404': { description: 'No such customer' },
            ...errors,
          },
        },
      },
      '/unmatched': {
        get: {
          summary:
            'Inbound messages on no ticket: unknown senders, automatic mail, messages awaiting a ticket choice',
          parameters: queryParameters(paging),
          responses: { '200': { description: '{ messages }' }, ...errors },
        },
      },
      '/alerts': {
        get: {
          summary:
            'What technicians must see: failed deliveries, bounces, unreachable customers, unmatched mail',
          parameters: queryParameters(paging),
          responses: { '200': { description: '{ alerts }' }, ...errors },
        },
      },
      '/deliveries': {
        get: {
          summary: 'Deliveries by status; `stuck` lists pending ones due for over two minutes',
          parameters: queryParameters(deliveryListQuery),
          responses: { '200': { description: '{ deliveries }' }, ...errors },
        },
      },
    },
  };
}
