/**
 * The sign-in and new-password fields the portal's and the staff dashboard's pages share, with the
 * `autocomplete` words password managers need (WHATWG autofill: `username`, `current-password`,
 * `new-password`). Each page brings its own texts.
 */
import { CsrfField, Field } from './layout.js';

/** The password input: the current one when signing in, a new one (with its rule) otherwise. */
function PasswordField(props: {
  label: string;
  autocomplete: 'current-password' | 'new-password';
  hint?: string;
  error?: string;
}) {
  return <Field name="password" type="password" required {...props} />;
}

/** Email and password of a sign-in form. */
export function SignInFields(props: { email?: string; emailLabel: string; passwordLabel: string }) {
  const { email, emailLabel } = props;
  return (
    <>
      <Field name="email" type="email" label={emailLabel} value={email} required autocomplete="username" />
      <PasswordField label={props.passwordLabel} autocomplete="current-password" />
    </>
  );
}

/** A new password, with the rule in the hint. */
export function NewPasswordField(props: { label: string; hint: string; error?: string }) {
  return <PasswordField {...props} autocomplete="new-password" />;
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
