/**
 * The sign-in and new-password fields the portal's and the staff dashboard's pages share, with the
 * `autocomplete` words password managers need (WHATWG autofill: `username`, `current-password`,
 * `new-password`). Each page brings its own texts.
 */
import { CsrfField, Field } from './layout.js';

/** Email and password of a sign-in form. */
export function SignInFields(props: { email?: string; emailLabel: string; passwordLabel: string }) {
  return (
    <>
      <Field
        name="email"
        type="email"
        label={props.emailLabel}
        value={props.email}
        required
        autocomplete="username"
      />
      <Field
        name="password"
        type="password"
        label={props.passwordLabel}
        required
        autocomplete="current-password"
      />
    </>
  );
}

/** A new password, with the rule in the hint. */
export function NewPasswordField(props: { label: string; hint: string; error?: string }) {
  return (
    <Field
      name="password"
      type="password"
      label={props.label}
      hint={props.hint}
      error={props.error}
      required
      autocomplete="new-password"
    />
  );
}

/**
 * The form behind a mailed or handed-over set-password link: the link's token, the login (hidden,
 * so a password manager stores the new password under the right name), the new password.
 */
export function SetPasswordForm(props: {
  action: string;
  csrfToken: string;
  token: string;
  email: string;
  /** Also show the login as text (the staff page: whose link this is). */
  showEmail?: boolean;
  /** The page's texts (the portal's or the staff's). */
  texts: { newPassword: string; passwordHint: string; save: string };
  error?: string;
}) {
  const { texts } = props;
  return (
    <form method="post" action={props.action}>
      <CsrfField token={props.csrfToken} />
      <input type="hidden" name="token" value={props.token} />
      <input type="hidden" name="username" autocomplete="username" value={props.email} />
      {props.showEmail && <p>{props.email}</p>}
      <NewPasswordField label={texts.newPassword} hint={texts.passwordHint} error={props.error} />
      <button type="submit">{texts.save}</button>
    </form>
  );
}
