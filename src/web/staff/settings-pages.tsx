import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { addClosure, listClosures, removeClosure } from '../../core/closures.js';
import { ConflictError, InvalidSettingsError, NotFoundError } from '../../core/errors.js';
import { normaliseSetting, sameSettingValue } from '../../core/setting-values.js';
import {
  loadSettings,
  type SettingKey,
  type SettingsChange,
  type SettingValues,
  settingProblem,
  updateSettings,
} from '../../core/settings.js';
import { listTermsVersions, publishTermsVersion } from '../../core/terms.js';
import { field, pageContext, sendPage, type WebDeps } from '../web-ui.js';
import { adminTexts, inputToCents } from './admin-texts.js';
import { SettingsPage, type SettingsPageProps } from './settings-views.js';
import { staffGuard } from './staff-auth.js';
import { staffActor } from './staff-page.js';
import { doneQuery, staffQuery } from './staff-query.js';

type FormState = { values: Record<string, string>; errors: Record<string, string> };

/** The form field of each one-field setting (the rate is typed in euro, stored in cents). */
const FIELD_OF: Partial<Record<SettingKey, string>> = {
  businessHours: 'businessHours',
  remoteToolName: 'remoteToolName',
  remoteToolUrl: 'remoteToolUrl',
  hourlyRateCents: 'hourlyRate',
  vatPercent: 'vatPercent',
};

/** Every value of a form field that may repeat (checkboxes). */
function fieldList(body: unknown, name: string): string[] {
  const value = (body as Record<string, unknown> | undefined)?.[name];
  return (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === 'string');
}

/**
 * The week: the ticked days (`workingDays`) and, per ticked day, its hours when it has its own
 * (`hours-<weekday>`, empty: the normal hours). A day's bad hours are that field's error.
 */
function weekOf(body: unknown, form: FormState): Pick<SettingsChange, 'workingDays' | 'weekdayHours'> {
  const days = [...new Set(fieldList(body, 'workingDays').filter((d) => /^[1-7]$/.test(d)))].map(Number);
  form.values.workingDays = days.join(',');
  const weekdayHours: Record<string, string> = {};
  for (let day = 1; day <= 7; day++) {
    const hours = field(body, `hours-${day}`)?.trim() ?? '';
    form.values[`hours-${day}`] = hours;
    if (!hours || !days.includes(day)) continue;
    const problem = settingProblem('businessHours', hours);
    if (problem) form.errors[`hours-${day}`] = problem;
    else weekdayHours[String(day)] = hours;
  }
  return { workingDays: days, weekdayHours };
}

/** Reads the settings form: a change for the core, or the fields that are not even numbers. */
function settingsChangeOf(body: unknown, lang: string): { change: SettingsChange; form: FormState } {
  const a = adminTexts(lang);
  const values: Record<string, string> = {};
  for (const name of Object.values(FIELD_OF)) values[name] = field(body, name)?.trim() ?? '';
  const form: FormState = { values, errors: {} };
  const change: SettingsChange = {
    businessHours: values.businessHours,
    remoteToolName: values.remoteToolName,
    remoteToolUrl: values.remoteToolUrl,
    ...weekOf(body, form),
  };
  const cents = inputToCents(values.hourlyRate!);
  if (cents === undefined) form.errors.hourlyRate = a.badMoney;
  else change.hourlyRateCents = cents;
  if (!/^\d{1,3}$/.test(values.vatPercent!)) form.errors.vatPercent = a.badNumber;
  else change.vatPercent = Number(values.vatPercent);
  for (const key of fieldList(body, 'reset')) {
    if (key === 'week') Object.assign(change, { workingDays: null, weekdayHours: null });
    else if (key in FIELD_OF) change[key as SettingKey] = null;
  }
  return { change, form };
}

/**
 * Leaves out of `change` what the form sent back unchanged, so saving one field does not store
 * the others: a setting nobody changed keeps following the environment.
 */
function onlyChanged(change: SettingsChange, current: SettingValues): SettingsChange {
  const out: SettingsChange = {};
  for (const [key, value] of Object.entries(change) as Array<[SettingKey, unknown]>) {
    const same =
      value !== null &&
      settingProblem(key, value) === undefined &&
      sameSettingValue(normaliseSetting(key, value as never), current[key]);
    if (!same) (out as Record<string, unknown>)[key] = value;
  }
  return out;
}

/** The core's field errors, under the form's field names. */
function formErrors(error: InvalidSettingsError): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, text] of Object.entries(error.fields)) out[FIELD_OF[key as SettingKey] ?? key] = text;
  return out;
}

/**
 * `/staff/settings` (#25 item 5, admins only): the settings stored in the database over the
 * environment's defaults, closures, terms versions. Each form posts to the same core functions as
 * `PUT /api/v1/settings`, `/api/v1/closures` and `/api/v1/terms-versions`; a change is effective
 * at once and audit-logged with the staff member.
 */
export function registerSettingsPages(scope: FastifyInstance, deps: WebDeps): void {
  const { core } = deps;
  scope.register(async (admin) => {
    admin.addHook('preHandler', staffGuard(deps, 'admin'));
    const csrf = { preHandler: admin.csrfProtection };

    const show = async (
      request: FastifyRequest,
      reply: FastifyReply,
      extra: Partial<SettingsPageProps> = {},
      status = 200,
    ) => {
      const ctx = pageContext(request, reply, deps.settings);
      const done = status === 200 ? staffQuery(request, doneQuery).done : undefined;
      return sendPage(
        reply,
        <SettingsPage
          ctx={ctx}
          staff={request.staff!}
          settings={await loadSettings(core)}
          closures={await listClosures(core)}
          terms={await listTermsVersions(core)}
          done={done}
          {...extra}
        />,
        status,
      );
    };
    const back = (reply: FastifyReply, done: string) => reply.redirect(`/staff/settings?done=${done}`, 303);

    admin.get('/staff/settings', (request, reply) => show(request, reply));

    admin.post('/staff/settings', csrf, async (request, reply) => {
      const lang = pageContext(request, reply, deps.settings).t.lang;
      const { change: sent, form } = settingsChangeOf(request.body, lang);
      const change = onlyChanged(sent, (await loadSettings(core)).values);
      const problems: Record<string, string> = {};
      for (const [key, value] of Object.entries(change)) {
        const problem = value === null ? undefined : settingProblem(key as SettingKey, value);
        if (problem) problems[key] = problem;
      }
      try {
        if (Object.keys(problems).length > 0 || Object.keys(form.errors).length > 0)
          throw new InvalidSettingsError(problems);
        await updateSettings(core, change, staffActor(request));
      } catch (error) {
        if (!(error instanceof InvalidSettingsError)) throw error;
        return show(
          request,
          reply,
          { form: { ...form, errors: { ...formErrors(error), ...form.errors } } },
          400,
        );
      }
      return back(reply, 'saved');
    });

    admin.post('/staff/settings/closures', csrf, async (request, reply) => {
      const values = {
        date: field(request.body, 'date')?.trim() ?? '',
        reason: field(request.body, 'reason')?.trim() ?? '',
      };
      try {
        if (values.reason.length > 200)
          throw new ConflictError('at most 200 characters', { field: 'reason' });
        await addClosure(
          core,
          { date: values.date, reason: values.reason || undefined },
          staffActor(request),
        );
      } catch (error) {
        if (!(error instanceof ConflictError)) throw error;
        const name = (error.context.field as string | undefined) ?? 'date';
        return show(request, reply, { closureForm: { values, errors: { [name]: error.message } } }, 400);
      }
      return back(reply, 'closure-added');
    });

    admin.post('/staff/settings/closures/delete', csrf, async (request, reply) => {
      const date = field(request.body, 'date') ?? '';
      try {
        await removeClosure(core, date, staffActor(request));
      } catch (error) {
        if (!(error instanceof ConflictError) && !(error instanceof NotFoundError)) throw error;
        return show(
          request,
          reply,
          { closureForm: { values: { date }, errors: { date: error.message } } },
          400,
        );
      }
      return back(reply, 'closure-removed');
    });

    admin.post('/staff/settings/terms', csrf, async (request, reply) => {
      const values = {
        version: field(request.body, 'version') ?? '',
        body: field(request.body, 'body') ?? '',
      };
      try {
        await publishTermsVersion(core, values, staffActor(request));
      } catch (error) {
        if (!(error instanceof InvalidSettingsError)) throw error;
        return show(request, reply, { termsForm: { values, errors: error.fields } }, 400);
      }
      return back(reply, 'terms-published');
    });
  });
}
