import { FlagRequestCounter } from 'src/feature-flags/flag-request-counter';

const at = (iso: string) => new Date(iso).getTime();

describe('FlagRequestCounter', () => {
  it('counts requests per flag and minute', () => {
    const counter = new FlagRequestCounter();
    counter.increment('a', at('2026-02-01T06:00:05Z'));
    counter.increment('a', at('2026-02-01T06:00:59Z'));
    counter.increment('a', at('2026-02-01T06:01:00Z'));
    counter.increment('b', at('2026-02-01T06:00:30Z'));
    expect(counter.perMinute('a', new Date('2026-02-01T06:00:00Z'), new Date('2026-02-01T07:00:00Z'))).toEqual([
      { minute: '2026-02-01T06:00:00.000Z', count: 2 },
      { minute: '2026-02-01T06:01:00.000Z', count: 1 },
    ]);
    expect(counter.total('b', new Date('2026-02-01T06:00:00Z'), new Date('2026-02-01T06:01:00Z'))).toBe(1);
    expect(counter.total('a', new Date('2026-02-01T06:01:00Z'), new Date('2026-02-01T06:02:00Z'))).toBe(1);
    expect(counter.total('unknown', new Date(0), new Date())).toBe(0);
  });

  it('keeps a day of minutes, not more', () => {
    const counter = new FlagRequestCounter();
    const start = at('2026-02-01T00:00:00Z');
    for (let minute = 0; minute <= 24 * 60 + 10; minute++) counter.increment('a', start + minute * 60_000);
    const kept = counter.perMinute('a', new Date(start - 60_000), new Date(start + 2 * 86_400_000));
    expect(kept.length).toBeLessThanOrEqual(24 * 60 + 1);
    expect(kept[kept.length - 1].minute).toBe('2026-02-02T00:10:00.000Z');
  });
});
