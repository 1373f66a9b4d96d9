import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { addPrepaidPackage, type ContractInput, putContract } from '../../core/billing/contracts.js';
import { isCalendarDate } from '../../core/closures.js';
import { searchCustomers } from '../../db/sql/search-customers.js';
import { field, pageContext, sendPage, type WebDeps } from '../web-ui.js';
import { type AdminTexts, adminTexts, inputToCents } from './admin-texts.js';
import { customerDetail } from './customer-data.js';
import { CustomerListPage, CustomerPage, type CustomerPageProps } from './customer-views.js';
import { staffGuard } from './staff-auth.js';
import { staffActor } from './staff-page.js';
import { customerListQuery, doneQuery, staffQuery } from './staff-query.js';

const PAGE_SIZE = 50;

type FormState = { values: Record<string, string>; errors: Record<string, string> };

const wholeNumber = (text: string, min: number, max: number) =>
  /^\d{1,6}$/.test(text) && Number(text) >= min && Number(text) <= max ? Number(text) : undefined;

/** The contract form as the billing core's input, or the fields that are wrong. */
function contractOf(body: unknown, a: AdminTexts): { input?: ContractInput; form: FormState } {
  const values: Record<string, string> = {};
  for (const name of ['rate', 'rounding', 'blockMinutes', 'minimum', 'surcharge'])
    values[name] = field(body, name)?.trim() ?? '';
  const errors: Record<string, string> = {};
  const rate = values.rate === '' ? null : inputToCents(values.rate!);
  if (rate === undefined || (rate !== null && rate > 10_000_000)) errors.rate = a.badMoney;
  const scope = values.rounding === 'entry' ? 'entry' : 'ticket';
  const block = values.rounding === 'none' ? 0 : wholeNumber(values.blockMinutes!, 1, 480);
  if (block === undefined) errors.blockMinutes = `${a.badNumber} (1–480)`;
  const minimum = wholeNumber(values.minimum || '0', 0, 1440);
  if (minimum === undefined) errors.minimum = `${a.badNumber} (0–1440)`;
  const surcharge = wholeNumber(values.surcharge || '0', 0, 500);
  if (surcharge === undefined) errors.surcharge = `${a.badNumber} (0–500)`;
  if (Object.keys(errors).length > 0) return { form: { values, errors } };
  return {
    input: {
      hourlyRateCents: rate!,
      rounding: values.rounding === 'none' ? { mode: 'none' } : { mode: 'block', minutes: block!, scope },
      minimumMinutes: minimum!,
      outOfHoursSurchargePercent: surcharge!,
    },
    form: { values, errors },
  };
}

/** Hours of a prepaid package as typed (`10`, `7,5`, `2.25`) → whole minutes, 1 to 10,000 hours. */
function packageMinutes(text: string): number | undefined {
  const match = /^(\d{1,5})(?:[.,](\d{1,2}))?$/.exec(text);
  if (!match) return undefined;
  const minutes = Math.round(Number(`${match[1]}.${match[2] ?? '0'}`) * 60);
  return minutes >= 1 && minutes <= 600_000 ? minutes : undefined;
}

function prepaidOf(body: unknown, a: AdminTexts) {
  const values: Record<string, string> = {};
  for (const name of ['hours', 'validFrom', 'validUntil', 'note'])
    values[name] = field(body, name)?.trim() ?? '';
  const errors: Record<string, string> = {};
  const minutes = packageMinutes(values.hours!);
  if (minutes === undefined) errors.hours = `${a.badNumber} (10, 7,5)`;
  if (!isCalendarDate(values.validFrom!)) errors.validFrom = 'YYYY-MM-DD';
  if (!isCalendarDate(values.validUntil!) || values.validUntil! < values.validFrom!)
    errors.validUntil = 'YYYY-MM-DD ≥';
  if (values.note!.length > 500) errors.note = '≤ 500';
  return { minutes, form: { values, errors } };
}

/**
 * `/staff/customers` and `/staff/customers/:id` (#25 item 3): the list with search by name or
 * email and status; one customer with identities, terms, quick access, contract and consent
 * history. Contract changes (admins only) go through the billing core, as `PUT
 * /api/v1/customers/:id/contract` and `POST …/prepaid` do.
 */
export function registerCustomerPages(scope: FastifyInstance, deps: WebDeps): void {
  const { core } = deps;
  const adminOnly = staffGuard(deps, 'admin');

  scope.get('/staff/customers', async (request, reply) => {
    const ctx = pageContext(request, reply, deps.settings);
    const q = staffQuery(request, customerListQuery);
    const query = q.q ?? '';
    const status = q.status;
    const page = Number(q.page ?? '1');
    const { rows, total } = await searchCustomers(core.database.db, {
      query,
      status,
      limit: PAGE_SIZE,
      offset: (page - 1) * PAGE_SIZE,
    });
    return sendPage(
      reply,
      <CustomerListPage
        ctx={ctx}
        staff={request.staff!}
        query={query}
        status={status ?? ''}
        rows={rows}
        total={total}
        page={page}
        pageSize={PAGE_SIZE}
      />,
    );
  });

  const show = async (
    request: FastifyRequest,
    reply: FastifyReply,
    extra: Partial<CustomerPageProps> = {},
    status = 200,
  ) => {
    const ctx = pageContext(request, reply, deps.settings);
    const id = (request.params as { id: string }).id;
    const detail = /^\d{1,18}$/.test(id) ? await customerDetail(core, BigInt(id)) : undefined;
    if (!detail) return reply.callNotFound();
    const done = status === 200 ? staffQuery(request, doneQuery).done : undefined;
    return sendPage(
      reply,
      <CustomerPage ctx={ctx} staff={request.staff!} detail={detail} done={done} {...extra} />,
      status,
    );
  };

  scope.get('/staff/customers/:id', (request, reply) => show(request, reply));

  scope.post(
    '/staff/customers/:id/contract',
    { preHandler: [scope.csrfProtection, adminOnly] },
    async (request, reply) => {
      const id = (request.params as { id: string }).id;
      if (!/^\d{1,18}$/.test(id)) return reply.callNotFound();
      const { input, form } = contractOf(
        request.body,
        adminTexts(pageContext(request, reply, deps.settings).t.lang),
      );
      if (!input) return show(request, reply, { contractForm: form }, 400);
      await core.database.transaction((tx) => putContract(core, tx, BigInt(id), input, staffActor(request)));
      return reply.redirect(`/staff/customers/${id}?done=contract`, 303);
    },
  );

  scope.post(
    '/staff/customers/:id/prepaid',
    { preHandler: [scope.csrfProtection, adminOnly] },
    async (request, reply) => {
      const id = (request.params as { id: string }).id;
      if (!/^\d{1,18}$/.test(id)) return reply.callNotFound();
      const { minutes, form } = prepaidOf(
        request.body,
        adminTexts(pageContext(request, reply, deps.settings).t.lang),
      );
      if (Object.keys(form.errors).length > 0) return show(request, reply, { prepaidForm: form }, 400);
      const { hours: _hours, note, validFrom, validUntil } = form.values as Record<string, string>;
      await core.database.transaction((tx) =>
        addPrepaidPackage(
          core,
          tx,
          BigInt(id),
          { minutes: minutes!, validFrom: validFrom!, validUntil: validUntil!, note: note || undefined },
          staffActor(request),
        ),
      );
      return reply.redirect(`/staff/customers/${id}?done=prepaid`, 303);
    },
  );
}
