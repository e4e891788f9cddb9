import { FlagRequestCounter, MAX_REASON_KEYS, OTHER_FLAGS } from 'src/feature-flags/flag-request-counter';

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

  it('counts evaluations per flag and reason, apart from the per-minute counts', () => {
    const counter = new FlagRequestCounter();
    counter.countReason('a', 'ALLOWLIST');
    counter.countReason('a', 'ALLOWLIST');
    counter.countReason('a', 'ROLLOUT_EXCLUDED');
    counter.countReason('b', 'FLAG_NOT_FOUND');
    expect(counter.reasonCounts()).toEqual([
      { key: 'a', reason: 'ALLOWLIST', count: 2 },
      { key: 'a', reason: 'ROLLOUT_EXCLUDED', count: 1 },
      { key: 'b', reason: 'FLAG_NOT_FOUND', count: 1 },
    ]);
    expect(counter.total('a', new Date(0), new Date(Date.now() + 60_000))).toBe(0);
  });

  it(`counts keys beyond the first ${MAX_REASON_KEYS} under ${OTHER_FLAGS}`, () => {
    const counter = new FlagRequestCounter();
    for (let i = 0; i < MAX_REASON_KEYS + 5; i++) counter.countReason(`flag_${i}`, 'FLAG_NOT_FOUND');
    counter.countReason('flag_0', 'FLAG_NOT_FOUND');
    const counts = counter.reasonCounts();
    expect(counts).toHaveLength(MAX_REASON_KEYS + 1);
    expect(counts.find((c) => c.key === OTHER_FLAGS)).toEqual({ key: OTHER_FLAGS, reason: 'FLAG_NOT_FOUND', count: 5 });
    expect(counts.find((c) => c.key === 'flag_0')?.count).toBe(2);
  });
});
