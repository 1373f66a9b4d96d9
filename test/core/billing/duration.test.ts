import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from '../../../src/core/billing/duration.js';

describe('durations as technicians type them', () => {
  it.each([
    ['1h30', 90],
    ['1h30m', 90],
    ['1h', 60],
    ['90m', 90],
    ['90min', 90],
    ['90', 90],
    ['1:30', 90],
    ['0:45', 45],
    ['1,5h', 90],
    ['1.5h', 90],
    ['0,25h', 15],
    ['1,33h', 80],
    ['2H15', 135],
    ['24h', 1440],
  ])('%s is %i minutes', (text, minutes) => {
    expect(parseDuration(text)).toBe(minutes);
  });

  it.each([
    '',
    'abc',
    '1h30x',
    '0',
    '0m',
    '0:00',
    '25h',
    '1:75',
    '1,5',
    'h',
    '-1h',
    '1..5h',
    '1 ora',
    '1h90',
    '2h60',
    '1h 75m',
  ])('%j is not a duration', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });

  it('shows hours and minutes, never decimals', () => {
    expect(formatDuration(90)).toBe('1 h 30 min');
    expect(formatDuration(45)).toBe('45 min');
    expect(formatDuration(120)).toBe('2 h');
    expect(formatDuration(0)).toBe('0 min');
    expect(formatDuration(605)).toBe('10 h 5 min');
  });
});
