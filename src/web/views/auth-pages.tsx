import { SetPasswordForm, SignInFields } from './auth-forms.js';
import { CsrfField, Field, Layout, Notice, type PageContext } from './layout.js';

export type FieldErrors = Record<string, string>;
export type FormValues = Record<string, string | undefined>;

export function RegisterPage(props: {
  ctx: PageContext;
  values: FormValues;
  errors: FieldErrors;
  terms: { version: string; body: string };
}) {
  const { t } = props.ctx;
  const v = props.values;
  const e = props.errors;
  const kind = v.kind === 'person' ? 'person' : 'company';
  return (
    <Layout ctx={props.ctx} title={t.register}>
      {Object.keys(e).length > 0 && <Notice kind="error">{t.fixErrors}</Notice>}
      <form method="post" action="/register" novalidate>
        <CsrfField token={props.ctx.csrfToken} />
        <fieldset>
          <legend>{t.kind}</legend>
          <label class="check">
            <input type="radio" name="kind" value="company" checked={kind === 'company'} /> {t.company}
          </label>
          <label class="check">
            <input type="radio" name="kind" value="person" checked={kind === 'person'} /> {t.person}
          </label>
        </fieldset>
        <Field
          name="name"
          label={t.name}
          value={v.name}
          error={e.name}
          required
          autocomplete="organization"
        />
        <Field name="vatNumber" label={t.vatNumber} value={v.vatNumber} error={e.vatNumber} />
        <Field name="taxCode" label={t.taxCode} value={v.taxCode} error={e.taxCode} />
        <Field
          name="contactName"
          label={t.contactName}
          value={v.contactName}
          error={e.contactName}
          required
          autocomplete="name"
        />
        <Field
          name="email"
          type="email"
          label={t.email}
          value={v.email}
          error={e.email}
          required
          autocomplete="email"
        />
        <Field
          name="phone"
          type="tel"
          label={t.phone}
          value={v.phone}
          error={e.phone}
          required
          autocomplete="tel"
        />
        <Field name="telegram" label={t.telegram} value={v.telegram} error={e.telegram} />
        <section aria-labelledby="terms-title">
          <h2 id="terms-title">
            {t.terms} ({t.termsVersion} {props.terms.version})
          </h2>
          <section class="terms" tabindex={0} aria-labelledby="terms-title">
            {props.terms.body}
          </section>
          <input type="hidden" name="termsVersion" value={props.terms.version} />
          <CheckBox
            name="acceptTerms"
            label={t.acceptTerms}
            checked={v.acceptTerms === 'yes'}
            error={e.acceptTerms}
          />
        </section>
        <section aria-labelledby="privacy-title">
          <h2 id="privacy-title">{t.privacy}</h2>
          <p>{t.privacyText}</p>
          <CheckBox
            name="acceptPrivacy"
            label={t.acceptPrivacy}
            checked={v.acceptPrivacy === 'yes'}
            error={e.acceptPrivacy}
          />
        </section>
        <section aria-labelledby="quick-title">
          <h2 id="quick-title">{t.quickAccess}</h2>
          <p id="quick-text">{t.quickAccessText}</p>
          <CheckBox
            name="quickAccess"
            label={t.quickAccessOptIn}
            checked={v.quickAccess === 'yes'}
            describedBy="quick-text"
          />
        </section>
        <button type="submit">{t.register}</button>
      </form>
    </Layout>
  );
}

function CheckBox(props: {
  name: string;
  label: string;
  checked: boolean;
  error?: string;
  describedBy?: string;
}) {
  const id = `f-${props.name}`;
  const described = [props.describedBy, props.error ? `${id}-error` : undefined].filter(Boolean).join(' ');
  return (
    <div class={props.error ? 'field invalid' : 'field'}>
      <label class="check" for={id}>
        <input
          type="checkbox"
          id={id}
          name={props.name}
          value="yes"
          checked={props.checked}
          aria-invalid={props.error ? 'true' : undefined}
          aria-describedby={described || undefined}
        />
        {props.label}
      </label>
      {props.error && (
        <p class="error" id={`${id}-error`}>
          {props.error}
        </p>
      )}
    </div>
  );
}

export function MessagePage(props: {
  ctx: PageContext;
  title: string;
  text: string;
  kind?: 'info' | 'ok' | 'error';
}) {
  return (
    <Layout ctx={props.ctx} title={props.title}>
      <Notice kind={props.kind ?? 'info'}>{props.text}</Notice>
    </Layout>
  );
}

/** A portal post refused because the session had expired: kept for after sign-in, or shown to copy. */
export interface ExpiredPost {
  kept: boolean;
  /** The text, shown read-only when it could not be kept. */
  text?: string;
  filesLeftOut: string[];
}

export function SignInPage(props: {
  ctx: PageContext;
  email?: string;
  error?: string;
  notice?: string;
  expired?: ExpiredPost;
}) {
  const { t } = props.ctx;
  const { expired } = props;
  return (
    <Layout ctx={props.ctx} title={t.signIn}>
      {props.notice && <Notice kind="ok">{props.notice}</Notice>}
      {props.error && <Notice kind="error">{props.error}</Notice>}
      {expired && (
        <Notice kind="error">
          {expired.kept ? t.sessionExpired : t.sessionExpiredNotKept}
          {expired.filesLeftOut.length ? ` ${t.filesNotKept} ${expired.filesLeftOut.join(', ')}.` : ''}
        </Notice>
      )}
      {expired && !expired.kept && (
        <div class="field">
          <label for="f-unsent">{t.yourMessage}</label>
          <textarea id="f-unsent" rows={6} readonly>
            {expired.text ?? ''}
          </textarea>
        </div>
      )}
      <form method="post" action="/signin">
        <CsrfField token={props.ctx.csrfToken} />
        <SignInFields email={props.email} emailLabel={t.email} passwordLabel={t.password} />
        <button type="submit">{t.signIn}</button>
      </form>
      <p>
        <a href="/password/forgot">{t.forgot}</a> · <a href="/register">{t.register}</a>
      </p>
    </Layout>
  );
}

export function ForgotPage(props: { ctx: PageContext; sent: boolean; error?: string }) {
  const { t } = props.ctx;
  return (
    <Layout ctx={props.ctx} title={t.forgot}>
      {props.sent && <Notice kind="ok">{t.resetSent}</Notice>}
      <form method="post" action="/password/forgot">
        <CsrfField token={props.ctx.csrfToken} />
        <Field name="email" type="email" label={t.email} error={props.error} required autocomplete="email" />
        <button type="submit">{t.send}</button>
      </form>
    </Layout>
  );
}

export function SetPasswordPage(props: { ctx: PageContext; token: string; email: string; error?: string }) {
  const { t } = props.ctx;
  return (
    <Layout ctx={props.ctx} title={t.setPassword}>
      <SetPasswordForm action="/password" csrfToken={props.ctx.csrfToken} {...props} texts={t} />
    </Layout>
  );
}

export function AcceptTermsPage(props: { ctx: PageContext; terms: { version: string; body: string } }) {
  const { t } = props.ctx;
  return (
    <Layout ctx={props.ctx} title={t.newTerms}>
      <p>{t.newTermsText}</p>
      <h2 id="terms-title">
        {t.terms} ({t.termsVersion} {props.terms.version})
      </h2>
      <section class="terms" tabindex={0} aria-labelledby="terms-title">
        {props.terms.body}
      </section>
      <form method="post" action="/terms/accept">
        <CsrfField token={props.ctx.csrfToken} />
        <input type="hidden" name="version" value={props.terms.version} />
        <button type="submit">{t.accept}</button>
      </form>
    </Layout>
  );
}
