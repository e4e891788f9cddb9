import { CronTime } from 'cron';

type Field = Readonly<{ name: string; min: number; max: number; names?: readonly string[] }>;

const SECOND: Field = { name: 'second', min: 0, max: 59 };
const FIVE_FIELDS: readonly Field[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  {
    name: 'month',
    min: 1,
    max: 12,
    names: ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'],
  },
  { name: 'day of week', min: 0, max: 7, names: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] },
];
const PRESETS = new Set([
  '@yearly',
  '@annually',
  '@monthly',
  '@weekly',
  '@daily',
  '@midnight',
  '@hourly',
  '@minutely',
  '@secondly',
  '@weekdays',
  '@weekends',
]);
const PART = /^(\*|[a-z0-9]+(?:-[a-z0-9]+)?)(?:\/(\d+))?$/;

/**
 * What is wrong with a cron expression, field by field, in words an operator can act on
 * ("minute 61 is out of range 0-59"); empty when the scheduler accepts it. Five fields
 * (minute hour day-of-month month day-of-week), an optional leading seconds field, or a preset
 * such as @hourly.
 */
export function cronProblems(expression: string): string[] {
  const text = expression.trim().toLowerCase();
  if (PRESETS.has(text)) return [];
  const parts = text.split(/\s+/);
  if (parts.length !== 5 && parts.length !== 6) {
    return [
      `needs 5 fields (minute hour day-of-month month day-of-week) or 6 with seconds first; it has ${parts.length}`,
    ];
  }
  const fields = parts.length === 6 ? [SECOND, ...FIVE_FIELDS] : FIVE_FIELDS;
  const problems = parts.flatMap((part, index) => fieldProblems(part, fields[index]));
  if (problems.length > 0) return problems;
  try {
    new CronTime(text);
    return [];
  } catch (error) {
    return [error instanceof Error ? error.message : String(error)];
  }
}

function fieldProblems(text: string, field: Field): string[] {
  const problems: string[] = [];
  for (const item of text.split(',')) {
    const match = PART.exec(item);
    if (!match) {
      problems.push(`${field.name} "${item}" is not a value, a range (a-b), a list (a,b) or a step (*/n)`);
      continue;
    }
    const [, base, step] = match;
    if (step !== undefined && Number(step) < 1) problems.push(`${field.name} step "/${step}" must be at least 1`);
    if (base === '*') continue;
    const bounds = base.split('-').map((value) => valueOf(value, field));
    for (const [index, value] of bounds.entries()) {
      if (value === null)
        problems.push(`${field.name} "${base.split('-')[index]}" is not a number${field.names ? ' or a name' : ''}`);
      else if (value < field.min || value > field.max)
        problems.push(`${field.name} ${value} is out of range ${field.min}-${field.max}`);
    }
    if (bounds.length === 2 && bounds[0] !== null && bounds[1] !== null && bounds[0] > bounds[1]) {
      problems.push(`${field.name} range ${base} runs backwards`);
    }
  }
  return problems;
}

function valueOf(text: string, field: Field): number | null {
  if (/^\d+$/.test(text)) return Number(text);
  const index = field.names?.indexOf(text) ?? -1;
  if (index < 0) return null;
  return field.name === 'month' ? index + 1 : index;
}
