/** The portal's read-only sections: appointments, hour summaries (T6) and consent history (T4). */
import type { myAppointments, myConsents, myHourSummaries } from '../portal-data.js';
import { dateTime } from './dates.js';
import type { PageContext } from './layout.js';

export type Appointments = Awaited<ReturnType<typeof myAppointments>>;
export type HourSummaries = Awaited<ReturnType<typeof myHourSummaries>>;
export type Consents = Awaited<ReturnType<typeof myConsents>>;

function AppointmentTable(props: { ctx: PageContext; rows: Appointments['upcoming']; caption: string }) {
  const { ctx } = props;
  const { t } = ctx;
  return (
    <table>
      <caption>{props.caption}</caption>
      <thead>
        <tr>
          <th scope="col">{t.when}</th>
          <th scope="col">{t.ticket}</th>
          <th scope="col">{t.appointmentKind}</th>
          <th scope="col">{t.status}</th>
        </tr>
      </thead>
      <tbody>
        {props.rows.map((a) => (
          <tr key={String(a.id)}>
            <td>{dateTime(ctx, a.startAt)}</td>
            <td>
              <a href={`/portal/tickets/${a.ticketNumber}`}>#{a.ticketNumber}</a>
            </td>
            <td>{t.appointmentKinds[a.kind] ?? a.kind}</td>
            <td>{t.appointmentStatuses[a.status] ?? a.status}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function AppointmentsSection(props: { ctx: PageContext; appointments: Appointments }) {
  const { ctx, appointments } = props;
  const { t } = ctx;
  return (
    <section aria-labelledby="appointments-title">
      <h2 id="appointments-title">{t.appointments}</h2>
      {appointments.upcoming.length === 0 && appointments.past.length === 0 ? (
        <p>{t.noAppointments}</p>
      ) : (
        <>
          {appointments.upcoming.length > 0 && (
            <AppointmentTable ctx={ctx} rows={appointments.upcoming} caption={t.upcoming} />
          )}
          {appointments.past.length > 0 && (
            <AppointmentTable ctx={ctx} rows={appointments.past} caption={t.past} />
          )}
        </>
      )}
    </section>
  );
}

export function HoursSection(props: { ctx: PageContext; summaries: HourSummaries }) {
  const { t } = props.ctx;
  return (
    <section aria-labelledby="hours-title">
      <h2 id="hours-title">{t.hourSummaries}</h2>
      {props.summaries.length === 0 ? (
        <p>{t.noHours}</p>
      ) : (
        props.summaries.map((s) => (
          <div key={s.ticketNumber} class="hour-summary" id={`hours-${s.ticketNumber}`}>
            <pre>{s.text}</pre>
          </div>
        ))
      )}
    </section>
  );
}

export function ConsentsSection(props: { ctx: PageContext; consents: Consents }) {
  const { ctx } = props;
  const { t } = ctx;
  return (
    <section aria-labelledby="consents-title">
      <h2 id="consents-title">{t.consents}</h2>
      {props.consents.length === 0 ? (
        <p>{t.noConsents}</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">{t.date}</th>
              <th scope="col">{t.ticket}</th>
              <th scope="col">{t.technician}</th>
              <th scope="col">{t.outcome}</th>
              <th scope="col" class="optional">
                {t.channel}
              </th>
            </tr>
          </thead>
          <tbody>
            {props.consents.map((c) => (
              <tr key={String(c.id)}>
                <td>{dateTime(ctx, c.at)}</td>
                <td>
                  <a href={`/portal/tickets/${c.ticketNumber}`}>#{c.ticketNumber}</a>
                </td>
                <td>{c.technician}</td>
                <td>{t.consentEvents[c.event] ?? c.event}</td>
                <td class="optional">{c.channel}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
