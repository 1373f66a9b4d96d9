/**
 * The admin forms of the staff pages (settings, customers, accounts): a post form with its CSRF
 * token and button, and fields listed as data, each reading its value and its error by name from
 * the form as it came back with errors.
 */
import type { ComponentChildren } from 'preact';
import { CsrfField, Field } from '../views/layout.js';

/** A form as sent, with what is wrong in each field (by field name). */
export interface FormState {
  values: Record<string, string>;
  errors: Record<string, string>;
}

export interface FieldSpec {
  name: string;
  label: string;
  type?: 'text' | 'email';
  required?: boolean;
  hint?: string;
  multiline?: boolean;
  autocomplete?: string;
  /** Shown when the form was not sent back (the stored value). */
  fallback?: string;
}

/** The fields, filled from `form` when it came back with errors, else from each one's `fallback`. */
export function FormFields(props: { form?: FormState; fields: FieldSpec[] }) {
  return (
    <>
      {props.fields.map(({ fallback, ...spec }) => (
        <Field
          {...spec}
          key={spec.name}
          value={props.form?.values[spec.name] ?? fallback}
          error={props.form?.errors[spec.name]}
        />
      ))}
    </>
  );
}

/** A post form with the CSRF token; `submit` labels its button, after `children`. */
export function PostForm(props: {
  action: string;
  csrfToken: string;
  submit: string;
  children: ComponentChildren;
}) {
  return (
    <form method="post" action={props.action} novalidate>
      <CsrfField token={props.csrfToken} />
      {props.children}
      <button type="submit">{props.submit}</button>
    </form>
  );
}
