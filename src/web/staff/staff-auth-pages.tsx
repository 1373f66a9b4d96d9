import { NewPasswordField, SetPasswordForm, SignInFields } from '../views/auth-forms.js';
import { CsrfField, Field, Notice } from '../views/layout.js';
import { staffMessages } from './staff-i18n.js';
import { StaffLayout, type StaffLayoutProps } from './staff-layout.js';

type Base = Omit<StaffLayoutProps, 'title' | 'children'>;

export function StaffSignInPage(
  props: Base & {
    next: string;
    email?: string;
    error?: string;
    notice?: string;
    /** A reply or note posted after the session expired: kept for after sign-in, or shown to copy. */
    expired?: { kept: boolean; text?: string };
  },
) {
  const s = staffMessages(props.t.lang);
  const { expired } = props;
  return (
    <StaffLayout {...props} title={s.signIn}>
      {props.notice && <Notice kind="ok">{props.notice}</Notice>}
      {props.error && <Notice kind="error">{props.error}</Notice>}
      {expired && (
        <Notice kind="error">{expired.kept ? s.sessionExpiredKept : s.sessionExpiredNotKept}</Notice>
      )}
      {expired && !expired.kept && (
        <div class="field">
          <label for="f-unsent">{s.unsentText}</label>
          <textarea id="f-unsent" rows={8} readonly>
            {expired.text ?? ''}
          </textarea>
        </div>
      )}
      <form method="post" action="/staff/sign-in">
        <CsrfField token={props.csrfToken} />
        <input type="hidden" name="next" value={props.next} />
        <SignInFields email={props.email} emailLabel={s.email} passwordLabel={s.password} />
        <button type="submit">{s.submit}</button>
      </form>
    </StaffLayout>
  );
}

export function StaffCodePage(props: Base & { error?: string }) {
  const s = staffMessages(props.t.lang);
  return (
    <StaffLayout {...props} title={s.codeTitle}>
      {props.error && <Notice kind="error">{props.error}</Notice>}
      <form method="post" action="/staff/sign-in/code">
        <CsrfField token={props.csrfToken} />
        <CodeField label={s.codeLabel} />
        <button type="submit">{s.verify}</button>
      </form>
    </StaffLayout>
  );
}

/** A 6-digit code input the authenticator apps' autofill recognises. */
export function CodeField(props: { label: string }) {
  return (
    <div class="field">
      <label for="f-code">{props.label}</label>
      <input
        id="f-code"
        name="code"
        type="text"
        inputMode="numeric"
        pattern="[0-9 ]{6,7}"
        autocomplete="one-time-code"
        required
      />
    </div>
  );
}

export function StaffSetPasswordPage(props: Base & { token: string; email: string; error?: string }) {
  const s = staffMessages(props.t.lang);
  return (
    <StaffLayout {...props} title={s.setPassword}>
      <SetPasswordForm action="/staff/set-password" {...props} texts={s} showEmail />
    </StaffLayout>
  );
}

/** The first admin's name and login: field, input type, autocomplete word. */
const FIRST_ADMIN_FIELDS = [
  ['name', 'text', 'name'],
  ['email', 'email', 'username'],
] as const;

export function FirstAdminPage(
  props: Base & { token: string; values: { email?: string; name?: string }; errors: Record<string, string> },
) {
  const s = staffMessages(props.t.lang);
  return (
    <StaffLayout {...props} title={s.firstAdmin}>
      <p>{s.firstAdminText}</p>
      <form method="post" action="/staff/set-password">
        <CsrfField token={props.csrfToken} />
        <input type="hidden" name="token" value={props.token} />
        {FIRST_ADMIN_FIELDS.map(([name, type, autocomplete]) => (
          <Field
            name={name}
            type={type}
            label={s[name]}
            value={props.values[name]}
            error={props.errors[name]}
            required
            autocomplete={autocomplete}
          />
        ))}
        <NewPasswordField label={s.newPassword} hint={s.passwordHint} error={props.errors.password} />
        <button type="submit">{s.save}</button>
      </form>
    </StaffLayout>
  );
}
