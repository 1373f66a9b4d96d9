import { CsrfField, Layout, Notice, type PageContext } from './layout.js';

/** A field of a refused form, sent back as it came. */
export interface ResentField {
  name: string;
  value: string;
}

/** Fields whose value is free text the person wrote: shown to edit, the others travel hidden. */
export function isWrittenText(field: ResentField): boolean {
  return (
    /^(text|body|note|message)$/.test(field.name) || field.value.includes('\n') || field.value.length > 200
  );
}

/**
 * A form refused by the CSRF check (its token or cookie had expired), shown again with a fresh
 * token: what was written, to check and send again to the same address. Any form of the web pages
 * (the staff dashboard's too) gets it; the portal's own posts are shown on their own page instead.
 */
export function ResendPage(props: {
  ctx: PageContext;
  action: string;
  multipart: boolean;
  fields: ResentField[];
  hadFiles: boolean;
}) {
  const { t } = props.ctx;
  return (
    <Layout ctx={props.ctx} title={t.resendTitle}>
      <Notice kind="error">
        {t.resendText}
        {props.hadFiles ? ` ${t.filesAgain}` : ''}
      </Notice>
      <form
        method="post"
        action={props.action}
        enctype={props.multipart ? 'multipart/form-data' : 'application/x-www-form-urlencoded'}
      >
        <CsrfField token={props.ctx.csrfToken} />
        {props.fields.map((field, i) =>
          isWrittenText(field) ? (
            <div class="field" key={field.name}>
              <label for={`f-resend-${i}`}>{field.name === 'text' ? t.message : field.name}</label>
              <textarea id={`f-resend-${i}`} name={field.name} rows={6}>
                {field.value}
              </textarea>
            </div>
          ) : (
            <input type="hidden" name={field.name} value={field.value} key={field.name} />
          ),
        )}
        <button type="submit">{t.resend}</button>
      </form>
    </Layout>
  );
}
