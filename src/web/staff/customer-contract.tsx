/** The contract part of the staff customer page (#25 item 3): terms, prepaid hours, the admin's forms. */
import { formatDuration } from '../../core/billing/duration.js';
import { formatEuro } from '../../templates/format.js';

import { adminTexts, centsToInput } from './admin-texts.js';
import type { CustomerPageProps } from './customer-views.js';
import { FormFields, PostForm } from './staff-form.js';
import { StaffTable } from './staff-table.js';

export function ContractSection(props: CustomerPageProps) {
  const { ctx, detail } = props;
  const a = adminTexts(ctx.t.lang);
  const lang = ctx.t.lang === 'en' ? 'en' : 'it';
  const c = detail.contract;
  const admin = props.staff.role === 'admin';
  const roundingChoice =
    props.contractForm?.values.rounding ?? (c.rounding.mode === 'none' ? 'none' : c.rounding.scope);
  const rounding =
    c.rounding.mode === 'none'
      ? a.roundingNone
      : `${a.roundingBlock} ${c.rounding.minutes} ${a.minutes}, ${c.rounding.scope === 'entry' ? a.perEntry : a.perTicket}`;
  return (
    <section aria-labelledby="contract-title">
      <h2 id="contract-title">{a.contract}</h2>
      <dl>
        <dt>{a.effectiveRate}</dt>
        <dd>
          {formatEuro(c.effectiveHourlyRateCents, lang)}/h
          {c.hourlyRateCents === null && ` (${a.defaultRate})`}
        </dd>
        <dt>{a.rounding}</dt>
        <dd>{rounding}</dd>
        <dt>{a.minimum}</dt>
        <dd>{c.minimumMinutes}</dd>
        <dt>{a.surcharge}</dt>
        <dd>{c.outOfHoursSurchargePercent}</dd>
      </dl>
      <h3>{a.prepaid}</h3>
      <StaffTable
        label={a.prepaid}
        headers={[a.hours, a.left, a.validFrom, a.validUntil, a.note]}
        empty={a.noPrepaid}
        rows={c.prepaid.map((p) => (
          <tr key={p.id}>
            <td>{formatDuration(p.minutes)}</td>
            <td>{formatDuration(p.minutesLeft)}</td>
            <td>{p.validFrom}</td>
            <td>{p.validUntil}</td>
            <td>{p.note ?? ''}</td>
          </tr>
        ))}
      />
      {!admin ? (
        <p class="hint">{a.adminOnly}</p>
      ) : (
        <>
          <PostForm
            action={`/staff/customers/${detail.customer.id}/contract`}
            csrfToken={ctx.csrfToken}
            submit={a.save}
          >
            <FormFields
              form={props.contractForm}
              fields={[
                {
                  name: 'rate',
                  label: a.contractRate,
                  fallback: c.hourlyRateCents === null ? '' : centsToInput(c.hourlyRateCents, lang),
                },
              ]}
            />
            <div class="field">
              <label for="f-rounding">{a.rounding}</label>
              <select id="f-rounding" name="rounding">
                {[
                  ['none', a.roundingNone],
                  ['ticket', `${a.roundingBlock} N ${a.minutes}, ${a.perTicket}`],
                  ['entry', `${a.roundingBlock} N ${a.minutes}, ${a.perEntry}`],
                ].map(([value, label]) => (
                  <option key={value} value={value} selected={roundingChoice === value}>
                    {label}
                  </option>
                ))}
              </select>
            </div>
            <FormFields
              form={props.contractForm}
              fields={[
                {
                  name: 'blockMinutes',
                  label: `N (${a.minutes}, 1–480)`,
                  fallback: c.rounding.mode === 'block' ? String(c.rounding.minutes) : '',
                },
                { name: 'minimum', label: a.minimum, fallback: String(c.minimumMinutes) },
                { name: 'surcharge', label: a.surcharge, fallback: String(c.outOfHoursSurchargePercent) },
              ]}
            />
          </PostForm>
          <PostForm
            action={`/staff/customers/${detail.customer.id}/prepaid`}
            csrfToken={ctx.csrfToken}
            submit={a.addPrepaid}
          >
            <FormFields
              form={props.prepaidForm}
              fields={[
                { name: 'hours', label: a.prepaidHours, required: true },
                { name: 'validFrom', label: `${a.validFrom} (YYYY-MM-DD)`, required: true },
                { name: 'validUntil', label: `${a.validUntil} (YYYY-MM-DD)`, required: true },
                { name: 'note', label: a.note },
              ]}
            />
          </PostForm>
        </>
      )}
    </section>
  );
}
