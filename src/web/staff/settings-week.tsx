/** The working week on the admin settings page: which weekdays are open, and days with hours of their own. */
import type { EffectiveSettings } from '../../core/settings.js';
import { type Locale, toLocale } from '../../templates/format.js';
import { weekdayName } from '../../templates/opening-hours.js';
import { dateTime } from '../views/dates.js';
import { Field, type PageContext } from '../views/layout.js';
import { adminTexts } from './admin-texts.js';

const WEEK = [1, 2, 3, 4, 5, 6, 7];

/** `Sabato` from `sabato`: a day's name at the start of a label. */
const capitalised = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/**
 * One checkbox per weekday (`workingDays`) and a field for its own hours (`hours-<weekday>`),
 * filled from the effective values, or from the form as sent when it came back with errors.
 */
export function WeekFieldset(props: {
  ctx: PageContext;
  settings: EffectiveSettings;
  form?: { values: Record<string, string>; errors: Record<string, string> };
}) {
  const { ctx, settings, form } = props;
  const a = adminTexts(ctx.t.lang);
  const locale: Locale = toLocale(ctx.t.lang);
  const ticked = form ? form.values.workingDays!.split(',').map(Number) : settings.values.workingDays;
  const stored = settings.stored.workingDays ?? settings.stored.weekdayHours;
  const source = stored
    ? `${a.fromDatabase} ${stored.updatedBy} ${a.on} ${dateTime(ctx, stored.updatedAt)}; ${a.envDefault}: ${a.weekDefault}.`
    : `${a.envDefault}: ${a.weekDefault}.`;
  const error = form?.errors.workingDays ?? form?.errors.weekdayHours;
  return (
    <fieldset class={error ? 'week invalid' : 'week'} aria-describedby="week-hint">
      <legend>{a.workingDays}</legend>
      <p class="hint" id="week-hint">
        {a.workingDaysHint} {source}
      </p>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {WEEK.map((day) => {
        const name = capitalised(weekdayName(day, locale));
        return (
          <div class="week-day" key={day}>
            <p class="check">
              <input
                type="checkbox"
                id={`day-${day}`}
                name="workingDays"
                value={String(day)}
                checked={ticked.includes(day)}
              />
              <label for={`day-${day}`}>{name}</label>
            </p>
            <Field
              name={`hours-${day}`}
              label={a.dayHours(name)}
              value={form?.values[`hours-${day}`] ?? settings.values.weekdayHours[String(day)] ?? ''}
              error={form?.errors[`hours-${day}`]}
            />
          </div>
        );
      })}
      {stored && (
        <p class="check">
          <input type="checkbox" id="reset-week" name="reset" value="week" />
          <label for="reset-week">{a.reset}</label>
        </p>
      )}
    </fieldset>
  );
}
