import { CsrfField, Field, Notice } from '../views/layout.js';
import { staffMessages } from './staff-i18n.js';
import { StaffLayout, type StaffLayoutProps } from './staff-layout.js';

type Base = Omit<StaffLayoutProps, 'title' | 'children'>;

export function StaffSignInPage(
  props: Base & { next: string; email?: string; error?: string; notice?: string },
) {
  const s = staffMessages(props.t.lang);
  return (
    <StaffLayout {...props} title={s.signIn}>
      {props.notice && <Notice kind="ok">{props.notice}</Notice>}
      {props.error && <Notice kind="error">{props.error}</Notice>}
      <form method="post" action="/staff/sign-in">
        <CsrfField token={props.csrfToken} />
        <input type="hidden" name="next" value={props.next} />
        <Field
          name="email"
          type="email"
          label={s.email}
          value={props.email}
          required
          autocomplete="username"
        />
        <Field name="password" type="password" label={s.password} required autocomplete="current-password" />
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
      {props.error && <Notice kind="error">{props.error}</Notice>}
      <form method="post" action="/staff/set-password">
        <CsrfField token={props.csrfToken} />
        <input type="hidden" name="token" value={props.token} />
        <input type="hidden" name="username" value={props.email} autocomplete="username" />
        <p>{props.email}</p>
        <Field
          name="password"
          type="password"
          label={s.newPassword}
          hint={s.passwordHint}
          required
          autocomplete="new-password"
          error={props.error ? s.shortPassword : undefined}
        />
        <button type="submit">{s.save}</button>
      </form>
    </StaffLayout>
  );
}

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
        <Field
          name="name"
          label={s.name}
          value={props.values.name}
          required
          error={props.errors.name}
          autocomplete="name"
        />
        <Field
          name="email"
          type="email"
          label={s.email}
          value={props.values.email}
          required
          error={props.errors.email}
          autocomplete="username"
        />
        <Field
          name="password"
          type="password"
          label={s.newPassword}
          hint={s.passwordHint}
          required
          error={props.errors.password}
          autocomplete="new-password"
        />
        <button type="submit">{s.save}</button>
      </form>
    </StaffLayout>
  );
}
