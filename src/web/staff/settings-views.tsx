/** The admin settings page (#25 item 5): settings, closures, terms versions. Server-rendered, no script. */
import type { Closure } from '../../core/closures.js';
import type { EffectiveSettings, SettingKey } from '../../core/settings.js';
import type { TermsVersionView } from '../../core/terms.js';
import { dateTime } from '../views/dates.js';
import { CsrfField, Field, Notice, type PageContext } from '../views/layout.js';
import { adminTexts, centsToInput } from './admin-texts.js';
import { WeekFieldset } from './settings-week.js';
import type { StaffMember } from './staff-auth.js';
import { FormFields, type FormState, PostForm } from './staff-form.js';
import { StaffLayout } from './staff-layout.js';
import { RowForm, StaffTable } from './staff-table.js';

export interface SettingsPageProps {
  ctx: PageContext;
  staff: StaffMember;
  settings: EffectiveSettings;
  closures: Closure[];
  terms: TermsVersionView[];
  /** A change just done (`?done=`). */
  done?: string;
  /** The settings form as submitted, with what is wrong in each field. */
  form?: FormState;
  closureForm?: FormState;
  termsForm?: FormState;
}

/** What each one-field setting's form field is called, and how its effective value is shown in it. */
const FIELDS: Array<{
  key: Exclude<SettingKey, 'workingDays' | 'weekdayHours'>;
  name: string;
  input: (s: EffectiveSettings['values'], lang: string) => string;
}> = [
  { key: 'businessHours', name: 'businessHours', input: (s) => s.businessHours },
  { key: 'remoteToolName', name: 'remoteToolName', input: (s) => s.remoteToolName },
  { key: 'remoteToolUrl', name: 'remoteToolUrl', input: (s) => s.remoteToolUrl },
  { key: 'hourlyRateCents', name: 'hourlyRate', input: (s, lang) => centsToInput(s.hourlyRateCents, lang) },
  { key: 'vatPercent', name: 'vatPercent', input: (s) => String(s.vatPercent) },
];

export function SettingsPage(props: SettingsPageProps) {
  const { ctx, settings } = props;
  const a = adminTexts(ctx.t.lang);
  const labels: Record<(typeof FIELDS)[number]['key'], { label: string; hint?: string }> = {
    businessHours: { label: a.businessHours, hint: a.businessHoursHint },
    remoteToolName: { label: a.remoteToolName },
    remoteToolUrl: { label: a.remoteToolUrl },
    hourlyRateCents: { label: a.hourlyRate, hint: a.hourlyRateHint },
    vatPercent: { label: a.vatPercent },
  };
  const doneText: Record<string, string> = {
    saved: a.saved,
    'closure-added': a.closureAdded,
    'closure-removed': a.closureRemoved,
    'terms-published': a.termsPublished,
  };
  const anyError = [props.form, props.closureForm, props.termsForm].some(
    (f) => f && Object.keys(f.errors).length > 0,
  );
  return (
    <StaffLayout {...ctx} title={a.settings} staff={props.staff} active="settings">
      {props.done && doneText[props.done] && <Notice kind="ok">{doneText[props.done]}</Notice>}
      {anyError && <Notice kind="error">{a.fixErrors}</Notice>}
      <section aria-labelledby="general-title">
        <h2 id="general-title">{a.general}</h2>
        <form method="post" action="/staff/settings" novalidate>
          <CsrfField token={ctx.csrfToken} />
          {FIELDS.map(({ key, name, input }) => {
            const stored = settings.stored[key];
            const source = stored
              ? `${a.fromDatabase} ${stored.updatedBy} ${a.on} ${dateTime(ctx, stored.updatedAt)}; ${a.envDefault}: ${input(settings.defaults, ctx.t.lang)}`
              : `${a.envDefault}.`;
            return (
              <div key={key}>
                <Field
                  name={name}
                  label={labels[key].label}
                  hint={[labels[key].hint, source].filter(Boolean).join(' ')}
                  value={props.form?.values[name] ?? input(settings.values, ctx.t.lang)}
                  error={props.form?.errors[name]}
                  required
                />
                {stored && (
                  <p class="check">
                    <input type="checkbox" id={`reset-${key}`} name="reset" value={key} />
                    <label for={`reset-${key}`}>{a.reset}</label>
                  </p>
                )}
                {key === 'businessHours' && <WeekFieldset ctx={ctx} settings={settings} form={props.form} />}
              </div>
            );
          })}
          <button type="submit">{a.save}</button>
        </form>
      </section>
      <ClosuresSection {...props} />
      <TermsSection {...props} />
    </StaffLayout>
  );
}

function ClosuresSection(props: SettingsPageProps) {
  const { ctx } = props;
  const a = adminTexts(ctx.t.lang);
  return (
    <section aria-labelledby="closures-title">
      <h2 id="closures-title">{a.closures}</h2>
      <p class="hint">{a.closuresHint}</p>
      <StaffTable
        label={a.closures}
        headers={[a.date, a.reason, a.source, a.remove]}
        empty={a.noClosures}
        rows={props.closures.map((c) => (
          <tr key={c.date}>
            <td>{c.date}</td>
            <td>{c.reason ?? ''}</td>
            <td>{c.source === 'setting' ? a.sourceSetting : `${a.sourceStaff} (${c.createdBy ?? ''})`}</td>
            <td>
              {c.source === 'staff' && (
                <RowForm action="/staff/settings/closures/delete" csrfToken={ctx.csrfToken}>
                  <input type="hidden" name="date" value={c.date} />
                  <button type="submit" aria-label={`${a.remove} ${c.date}`}>
                    {a.remove}
                  </button>
                </RowForm>
              )}
            </td>
          </tr>
        ))}
      />
      <PostForm action="/staff/settings/closures" csrfToken={ctx.csrfToken} submit={a.addClosure}>
        <FormFields
          form={props.closureForm}
          fields={[
            { name: 'date', label: `${a.date} (YYYY-MM-DD)`, required: true },
            { name: 'reason', label: a.reason },
          ]}
        />
      </PostForm>
    </section>
  );
}

function TermsSection(props: SettingsPageProps) {
  const { ctx } = props;
  const a = adminTexts(ctx.t.lang);
  return (
    <section aria-labelledby="terms-title">
      <h2 id="terms-title">{a.terms}</h2>
      <p class="hint">{a.termsHint}</p>
      <StaffTable
        label={a.terms}
        headers={[a.version, a.published, a.accepted]}
        rows={props.terms.map((v) => (
          <tr key={v.id}>
            <td>
              {v.version}
              {v.current && ` (${a.current})`}
            </td>
            <td>{dateTime(ctx, v.publishedAt)}</td>
            <td>{v.customers}</td>
          </tr>
        ))}
      />
      <PostForm action="/staff/settings/terms" csrfToken={ctx.csrfToken} submit={a.publish}>
        <FormFields
          form={props.termsForm}
          fields={[
            { name: 'version', label: a.version, required: true },
            { name: 'body', label: a.termsText, multiline: true, required: true },
          ]}
        />
      </PostForm>
    </section>
  );
}
