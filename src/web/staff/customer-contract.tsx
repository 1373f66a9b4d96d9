/** The contract part of the staff customer page (#25 item 3): terms, prepaid hours, the admin's forms. */
import { formatDuration } from '../../core/billing/duration.js';
import { formatEuro } from '../../templates/format.js';
import { CsrfField, Field } from '../views/layout.js';
import { adminTexts, centsToInput } from './admin-texts.js';
import type { CustomerPageProps } from './customer-views.js';

export function ContractSection(props: CustomerPageProps) {
  const { ctx, detail } = props;
  const a = adminTexts(ctx.t.lang);
  const lang = ctx.t.lang === 'en' ? 'en' : 'it';
  const c = detail.contract;
  const admin = props.staff.role === 'admin';
  const form = props.contractForm?.values;
  const errors = props.contractForm?.errors ?? {};
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
      {c.prepaid.length === 0 ? (
        <p>{a.noPrepaid}</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">{a.hours}</th>
              <th scope="col">{a.left}</th>
              <th scope="col">{a.validFrom}</th>
              <th scope="col">{a.validUntil}</th>
              <th scope="col">{a.note}</th>
            </tr>
          </thead>
          <tbody>
            {c.prepaid.map((p) => (
              <tr key={p.id}>
                <td>{formatDuration(p.minutes)}</td>
                <td>{formatDuration(p.minutesLeft)}</td>
                <td>{p.validFrom}</td>
                <td>{p.validUntil}</td>
                <td>{p.note ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {!admin ? (
        <p class="hint">{a.adminOnly}</p>
      ) : (
        <>
          <form method="post" action={`/staff/customers/${detail.customer.id}/contract`} novalidate>
            <CsrfField token={ctx.csrfToken} />
            <Field
              name="rate"
              label={a.contractRate}
              value={form?.rate ?? (c.hourlyRateCents === null ? '' : centsToInput(c.hourlyRateCents, lang))}
              error={errors.rate}
            />
            <div class="field">
              <label for="f-rounding">{a.rounding}</label>
              <select id="f-rounding" name="rounding">
                {[
                  ['none', a.roundingNone],
                  ['ticket', `${a.roundingBlock} N ${a.minutes}, ${a.perTicket}`],
                  ['entry', `${a.roundingBlock} N ${a.minutes}, ${a.perEntry}`],
                ].map(([value, label]) => (
                  <option
                    key={value}
                    value={value}
                    selected={
                      (form?.rounding ?? (c.rounding.mode === 'none' ? 'none' : c.rounding.scope)) === value
                    }
                  >
                    {label}
                  </option>
                ))}
              </select>
            </div>
            <Field
              name="blockMinutes"
              label={`N (${a.minutes}, 1–480)`}
              value={form?.blockMinutes ?? (c.rounding.mode === 'block' ? String(c.rounding.minutes) : '')}
              error={errors.blockMinutes}
            />
            <Field
              name="minimum"
              label={a.minimum}
              value={form?.minimum ?? String(c.minimumMinutes)}
              error={errors.minimum}
            />
            <Field
              name="surcharge"
              label={a.surcharge}
              value={form?.surcharge ?? String(c.outOfHoursSurchargePercent)}
              error={errors.surcharge}
            />
            <button type="submit">{a.save}</button>
          </form>
          <form method="post" action={`/staff/customers/${detail.customer.id}/prepaid`} novalidate>
            <CsrfField token={ctx.csrfToken} />
            <Field
              name="hours"
              label={a.prepaidHours}
              value={props.prepaidForm?.values.hours}
              error={props.prepaidForm?.errors.hours}
              required
            />
            <Field
              name="validFrom"
              label={`${a.validFrom} (YYYY-MM-DD)`}
              value={props.prepaidForm?.values.validFrom}
              error={props.prepaidForm?.errors.validFrom}
              required
            />
            <Field
              name="validUntil"
              label={`${a.validUntil} (YYYY-MM-DD)`}
              value={props.prepaidForm?.values.validUntil}
              error={props.prepaidForm?.errors.validUntil}
              required
            />
            <Field
              name="note"
              label={a.note}
              value={props.prepaidForm?.values.note}
              error={props.prepaidForm?.errors.note}
            />
            <button type="submit">{a.addPrepaid}</button>
          </form>
        </>
      )}
    </section>
  );
}
