/// <reference path="../../node_modules/date-holidays-parser/types/index.d.ts" />
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type Holidays from 'date-holidays-parser';

/**
 * Public holidays from the maintained `date-holidays` library (T6: "Italian public holidays"),
 * for a country and optionally a state/region inside it, where provinces' patron days live
 * (`62/RM`: Lazio, Rome, adds 29 June). Only days of type `public` close the business: observances
 * such as Mother's Day do not. The library's instances are costly to build; one is kept per place.
 *
 * Memory: the library's own entry point keeps every country's rules in memory (+27 MB of RSS at
 * idle). We read its data file once, keep only the countries asked for (a few KB each) and hand
 * them to its parser, `date-holidays-parser`, which is what `date-holidays` itself runs on. The
 * parser (with astronomia and moment, ~4.5 MB of heap) is loaded on the first holiday asked for,
 * not at start: checking the settings reads the data file alone.
 */

interface HolidayData {
  version?: string;
  license?: string;
  holidays: Record<string, unknown>;
  names: unknown;
}

const require = createRequire(import.meta.url);

/** The parser's class, loaded on first use (CommonJS, so callers stay synchronous). */
function holidaysClass(): typeof Holidays {
  return (require('date-holidays-parser') as { default: typeof Holidays }).default;
}

/** The library's whole data file, parsed; only while a caller needs it (not kept). */
function readAllData(): HolidayData {
  const dir = path.dirname(require.resolve('date-holidays/package.json'));
  return JSON.parse(readFileSync(path.join(dir, 'data', 'holidays.json'), 'utf8')) as HolidayData;
}

const dataByCountry = new Map<string, HolidayData>();

/** The library's data reduced to one country (read once per country). */
function dataOf(country: string): HolidayData {
  let data = dataByCountry.get(country);
  if (!data) {
    const all = readAllData();
    data = {
      version: all.version,
      license: all.license,
      holidays: country in all.holidays ? { [country]: all.holidays[country] } : {},
      names: all.names,
    };
    dataByCountry.set(country, data);
  }
  return data;
}

/** `HOLIDAYS_REGION` as the library names it: a state code, optionally `/` and a region code. */
export interface HolidayPlace {
  /** ISO 3166-1 alpha-2, e.g. `IT`; `none` for no public holidays. */
  country: string;
  /** The library's state code, e.g. `62` (Lazio); optional. */
  state?: string;
  /** The library's region code inside the state, e.g. `RM` (Roma); optional. */
  region?: string;
}

const instances = new Map<string, Holidays>();
const byYear = new Map<string, ReadonlySet<string>>();

function keyOf(place: HolidayPlace): string {
  return `${place.country}|${place.state ?? ''}|${place.region ?? ''}`;
}

function instanceOf(place: HolidayPlace): Holidays {
  const key = keyOf(place);
  let instance = instances.get(key);
  if (!instance) {
    const HolidaysClass = holidaysClass();
    instance = new HolidaysClass(
      dataOf(place.country),
      place.country,
      place.state ?? '',
      place.region ?? '',
      {
        types: ['public'],
      },
    );
    instances.set(key, instance);
  }
  return instance;
}

/** The public holidays of a year at a place, as local dates `YYYY-MM-DD` (empty for `none`). */
export function publicHolidays(year: number, place: HolidayPlace): ReadonlySet<string> {
  if (place.country === 'none') return new Set();
  const key = `${keyOf(place)}|${year}`;
  let dates = byYear.get(key);
  if (!dates) {
    const list = instanceOf(place).getHolidays(year) || [];
    dates = new Set(list.filter((h) => h.type === 'public').map((h) => h.date.slice(0, 10)));
    if (byYear.size > 1_000) byYear.clear();
    byYear.set(key, dates);
  }
  return dates;
}

/**
 * Parses `HOLIDAYS_COUNTRY` and `HOLIDAYS_REGION` (`62` or `62/RM`) and checks that the library
 * knows them; returns the reason when it does not.
 */
export function holidayPlaceOf(country: string, regionSpec: string | undefined): HolidayPlace | string {
  if (country === 'none') return { country };
  // The data file's layout, as the parser reads it (its Data.getStates / getRegions).
  const countries = readAllData().holidays as Record<string, PlaceData | undefined>;
  const countryData = countries[country];
  if (!countryData) return `unknown country "${country}"`;
  if (!regionSpec) return { country };
  const [state = '', region, ...rest] = regionSpec.split('/').map((s) => s.trim());
  if (rest.length > 0) return `expected STATE or STATE/REGION, got "${regionSpec}"`;
  const states = countryData.states ?? countryData.regions ?? {};
  if (!states[state]) {
    return `unknown state "${state}" of ${country}; known: ${Object.keys(states).join(', ') || 'none'}`;
  }
  if (region === undefined) return { country, state };
  const regions = countryData.states?.[state.toUpperCase()]?.regions ?? {};
  if (!regions[region]) {
    return `unknown region "${region}" of ${country} ${state}; known: ${Object.keys(regions).join(', ') || 'none'}`;
  }
  return { country, state, region };
}

/** A country, state or region in the library's data file: its subdivisions, by code. */
interface PlaceData {
  states?: Record<string, PlaceData | undefined>;
  regions?: Record<string, PlaceData | undefined>;
}
