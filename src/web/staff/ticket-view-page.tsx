import type { ComponentChildren } from 'preact';
import { canTransition } from '../../core/lifecycle.js';
import type { MessageWithParts } from '../../core/staff-views.js';
import type { TicketRow } from '../../core/threading.js';
import { dateTime } from '../views/dates.js';
import { CsrfField, Notice, type PageContext } from '../views/layout.js';
import { safeHtml } from '../views/portal-pages.js';
import { SLOT_MINUTES, type TicketTexts } from './ticket-texts.js';
import { TicketTime, type TicketTimeData } from './ticket-time-section.js';

export interface TicketViewData {
  ticket: TicketRow;
  customer: { id: bigint; name: string };
  messages: MessageWithParts[];
  time: TicketTimeData;
}

function Author(props: { t: TicketTexts; m: MessageWithParts['message']; customerName: string }) {
  const { t, m } = props;
  if (m.direction === 'note') return <strong>{`${t.noteBy} ${m.author ?? '?'}`}</strong>;
  if (m.direction === 'outbound') return <strong>{`${t.replyBy} ${m.author ?? '?'}`}</strong>;
  return <strong>{m.senderName ?? m.senderAddress ?? props.customerName}</strong>;
}

function Message(props: { ctx: PageContext; t: TicketTexts; part: MessageWithParts; customerName: string }) {
  const { ctx, t } = props;
  const { message: m, attachments, deliveries } = props.part;
  return (
    <li>
      <article class={`message ${m.direction}`} aria-label={m.direction === 'note' ? t.note : undefined}>
        <p class="meta">
          <Author t={t} m={m} customerName={props.customerName} /> · {dateTime(ctx, m.createdAt)}
          {m.direction === 'note' ? ` · ${t.internal}` : ` · ${t.via} ${m.channel}`}
        </p>
        {m.html && m.direction === 'inbound' && m.channel === 'email' ? (
          <div class="body" dangerouslySetInnerHTML={{ __html: safeHtml(m.html) }} />
        ) : (
          <div class="body">{m.newText}</div>
        )}
        {attachments.length > 0 && (
          <ul aria-label={t.attachments}>
            {attachments.map((a) => (
              <li>
                {a.kept ? (
                  <a href={`/staff/attachments/${a.id}`} download>
                    {a.filename}
                  </a>
                ) : (
                  `${a.filename} (${t.notKept}${a.omittedReason ? `: ${a.omittedReason}` : ''})`
                )}
              </li>
            ))}
          </ul>
        )}
        {deliveries.length > 0 && (
          <p class="delivery">
            {t.delivery}:{' '}
            {deliveries.map((d, i) => (
              <span class={`delivery-${d.status}`}>
                {i > 0 && ', '}
                {`${d.channel} ${t.deliveries[d.status] ?? d.status}`}
                {d.lastError && d.status !== 'sent' ? ` (${d.lastError})` : ''}
              </span>
            ))}
          </p>
        )}
      </article>
    </li>
  );
}

function ActionForm(props: {
  ctx: PageContext;
  number: number;
  action: string;
  label: string;
  children?: ComponentChildren;
}) {
  return (
    <form method="post" action={`/staff/tickets/${props.number}/${props.action}`} class="action">
      <CsrfField token={props.ctx.csrfToken} />
      {props.children}
      <button type="submit">{props.label}</button>
    </form>
  );
}

function TextArea(props: { id: string; name: string; label: string; value?: string }) {
  return (
    <div class="field">
      <label for={props.id}>{props.label}</label>
      <textarea id={props.id} name={props.name} rows={5} required>
        {props.value ?? ''}
      </textarea>
    </div>
  );
}

/** What was typed in a refused form, shown again (the field names of the forms). */
export interface TicketDraft {
  reply?: string;
  note?: string;
  /** The propose form: slot length as typed, and remote or on site. */
  minutes?: string;
  slotKind?: string;
  /** The log-time form. */
  duration?: string;
  timeKind?: string;
  billable?: boolean;
  timeNote?: string;
}

function Actions(props: { ctx: PageContext; t: TicketTexts; ticket: TicketRow; draft?: TicketDraft }) {
  const { ctx, t, ticket } = props;
  const draft = props.draft ?? {};
  const n = ticket.number;
  return (
    <section aria-labelledby="actions">
      <h2 id="actions">{t.actions}</h2>
      <ActionForm ctx={ctx} number={n} action="reply" label={t.send}>
        <TextArea id="f-reply" name="text" label={t.reply} value={props.draft?.reply} />
      </ActionForm>
      <ActionForm ctx={ctx} number={n} action="note" label={t.addNote}>
        <TextArea id="f-note" name="text" label={t.noteText} value={props.draft?.note} />
      </ActionForm>
      <div class="buttons">
        <ActionForm ctx={ctx} number={n} action="take" label={t.take} />
        <ActionForm ctx={ctx} number={n} action="consent" label={t.consent} />
        {canTransition(ticket.status, 'resolved') && (
          <ActionForm ctx={ctx} number={n} action="resolve" label={t.resolve} />
        )}
        {canTransition(ticket.status, 'open') && ticket.status !== 'new' && (
          <ActionForm ctx={ctx} number={n} action="reopen" label={t.reopen} />
        )}
      </div>
      <ActionForm ctx={ctx} number={n} action="propose" label={t.propose}>
        <fieldset>
          <legend>{t.propose}</legend>
          <label>
            <input type="radio" name="kind" value="remote" checked={draft.slotKind !== 'onsite'} /> {t.remote}
          </label>{' '}
          <label>
            <input type="radio" name="kind" value="onsite" checked={draft.slotKind === 'onsite'} /> {t.onsite}
          </label>
          <div class="field">
            <label for="f-minutes">{t.duration}</label>
            <input
              id="f-minutes"
              name="minutes"
              type="number"
              min={SLOT_MINUTES.min}
              max={SLOT_MINUTES.max}
              step={SLOT_MINUTES.step}
              value={draft.minutes ?? '60'}
              aria-invalid={draft.minutes !== undefined ? 'true' : undefined}
            />
          </div>
        </fieldset>
      </ActionForm>
      <ActionForm ctx={ctx} number={n} action="time" label={t.logTime}>
        <fieldset>
          <legend>{t.logTime}</legend>
          <div class="field">
            <label for="f-time">{t.time}</label>
            <input id="f-time" name="duration" required value={draft.duration} />
          </div>
          <div class="field">
            <label for="f-kind">{t.kind}</label>
            <select id="f-kind" name="kind">
              {(['remote', 'on_site', 'phone'] as const).map((k) => (
                <option value={k} selected={draft.timeKind === k}>
                  {t.kinds[k]}
                </option>
              ))}
            </select>
          </div>
          <label>
            <input type="checkbox" name="billable" value="yes" checked={draft.billable ?? true} />{' '}
            {t.billable}
          </label>
          <div class="field">
            <label for="f-time-note">{t.timeNote}</label>
            <input id="f-time-note" name="note" value={draft.timeNote} />
          </div>
        </fieldset>
      </ActionForm>
    </section>
  );
}

/** A ticket with its whole thread and the technicians' actions (forms, no script). */
export function TicketView(props: {
  ctx: PageContext;
  t: TicketTexts;
  data: TicketViewData;
  done?: string;
  /** The text just written had a secret in it, replaced by `[redacted]` (T8). */
  redacted?: boolean;
  error?: string;
  draft?: TicketDraft;
  /** The draft is a text kept when the session expired, not sent yet. */
  restored?: 'reply' | 'note';
}) {
  const { ctx, t, data } = props;
  const { ticket } = data;
  return (
    <>
      {props.done && t.done[props.done] && <Notice kind="ok">{t.done[props.done]}</Notice>}
      {props.redacted && <Notice kind="info">{t.redacted}</Notice>}
      {props.error && <Notice kind="error">{props.error}</Notice>}
      {props.restored && <Notice kind="info">{t.draftRestored}</Notice>}
      <dl class="ticket-facts">
        <dt>{t.customer}</dt>
        <dd>
          <a href={`/staff/customers/${data.customer.id}`}>{data.customer.name}</a>
        </dd>
        <dt>{t.status}</dt>
        <dd>{t.statuses[ticket.status]}</dd>
        <dt>{t.origin}</dt>
        <dd>{ticket.originChannel}</dd>
        <dt>{t.assignedTo}</dt>
        <dd>{ticket.assignee ?? t.unassigned}</dd>
        {ticket.firstContactAt ? (
          <>
            <dt>{t.firstContactAt}</dt>
            <dd>{dateTime(ctx, ticket.firstContactAt)}</dd>
          </>
        ) : (
          ticket.firstContactDueAt && (
            <>
              <dt>{t.firstContactDue}</dt>
              <dd>{dateTime(ctx, ticket.firstContactDueAt)}</dd>
            </>
          )
        )}
      </dl>
      <section aria-labelledby="thread">
        <h2 id="thread">{t.thread}</h2>
        <ol class="thread">
          {data.messages.map((part) => (
            <Message ctx={ctx} t={t} part={part} customerName={data.customer.name} />
          ))}
        </ol>
      </section>
      <TicketTime ctx={ctx} t={t} data={data.time} />
      <Actions ctx={ctx} t={t} ticket={ticket} draft={props.draft} />
    </>
  );
}
