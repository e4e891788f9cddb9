export type Change = Readonly<{ field: string; before: string; after: string }>;

function show(value: unknown): string {
  if (value === undefined) return '—';
  if (value === null) return 'null';
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

function fields(state: unknown): Record<string, unknown> {
  return typeof state === 'object' && state !== null && !Array.isArray(state) ? (state as Record<string, unknown>) : {};
}

/** The fields an audit event changed, before → after, in a stable order; bookkeeping fields left out. */
export function diffOf(
  before: unknown,
  after: unknown,
  ignore: readonly string[] = ['version', 'updatedAt', 'updatedBy'],
): Change[] {
  const a = fields(before);
  const b = fields(after);
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((key) => !ignore.includes(key));
  return keys
    .filter((key) => JSON.stringify(a[key]) !== JSON.stringify(b[key]))
    .sort()
    .map((field) => ({ field, before: show(a[field]), after: show(b[field]) }));
}
