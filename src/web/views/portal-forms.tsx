import { CsrfField, Field, Notice, type PageContext } from './layout.js';

/** What the customer wrote in a refused post, shown again with the reason (nothing is lost). */
export interface Draft {
  subject?: string;
  text?: string;
  /** Why it was refused, in the page's language. */
  error: string;
  /** Files were chosen: the browser cannot keep them, so say they must be chosen again. */
  hadFiles?: boolean;
  /** Kept while the customer signed in again (session expired), shown back: an info, not an error. */
  restored?: boolean;
  /** Names of the files chosen with a kept draft, which were not kept. */
  filesLeftOut?: string[];
}

export function NewMessageForm(props: {
  ctx: PageContext;
  action: string;
  nonce: string;
  withSubject: boolean;
  label: string;
  draft?: Draft;
}) {
  const { t } = props.ctx;
  const { draft } = props;
  return (
    <form method="post" action={props.action} enctype="multipart/form-data">
      {draft && !draft.restored && (
        <Notice kind="error">
          {t.postRefused} {draft.error} {t.draftKept}
          {draft.hadFiles ? ` ${t.filesAgain}` : ''}
        </Notice>
      )}
      {draft?.restored && (
        <Notice kind="info">
          {t.draftRestored}
          {draft.filesLeftOut?.length ? ` ${t.filesNotKept} ${draft.filesLeftOut.join(', ')}.` : ''}
        </Notice>
      )}
      <CsrfField token={props.ctx.csrfToken} />
      <input type="hidden" name="nonce" value={props.nonce} />
      {props.withSubject && <Field name="subject" label={t.subject} value={draft?.subject} required />}
      <Field name="text" label={t.message} value={draft?.text} required multiline />
      <div class="field">
        <label for="f-attachments">{t.attachments}</label>
        <input id="f-attachments" type="file" name="attachments" multiple />
      </div>
      <button type="submit">{props.label}</button>
    </form>
  );
}

/** Whether the customer may post from the portal: active, or pending (T1: their tickets wait for activation). */
export function canPost(status: string): boolean {
  return status === 'active' || status === 'pending';
}

/** The account's status when it is not simply active: pending (info), suspended or other (error). */
export function StatusNotice(props: { ctx: PageContext; status: string }) {
  const { t } = props.ctx;
  if (props.status === 'active') return null;
  if (props.status === 'pending') return <Notice kind="info">{t.pending}</Notice>;
  return <Notice kind="error">{refusalText(props.ctx, props.status)}</Notice>;
}

/** Why a customer who may not post is refused: suspended, rejected, or another status that is not active. */
export function refusalText(ctx: PageContext, status: string): string {
  if (status === 'suspended') return ctx.t.suspended;
  return status === 'rejected' ? ctx.t.rejected : ctx.t.notActive;
}

/**
 * A draft refused because the account may not post (no form to send it again): the reason and
 * the text, read-only, so the customer can copy it into a mail or keep it.
 */
export function RefusedDraft(props: { ctx: PageContext; draft?: Draft }) {
  const { t } = props.ctx;
  const { draft } = props;
  if (!draft) return null;
  return (
    <>
      <Notice kind="error">
        {t.postRefused} {draft.error}
      </Notice>
      <div class="field">
        <label for="f-refused">{t.yourMessage}</label>
        <textarea id="f-refused" name="text" rows={6} readonly>
          {[draft.subject, draft.text].filter(Boolean).join('\n\n')}
        </textarea>
      </div>
    </>
  );
}
