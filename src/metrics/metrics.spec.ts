import { TtlCache } from 'src/metrics/metrics';

describe('TtlCache', () => {
  it('loads at most once per TTL and shares a load in flight', async () => {
    let now = 0;
    let loads = 0;
    const cache = new TtlCache(
      10_000,
      async () => ++loads,
      () => now,
    );
    expect(await Promise.all([cache.get(), cache.get()])).toEqual([1, 1]);
    now = 9_999;
    expect(await cache.get()).toBe(1);
    now = 10_000;
    expect(await cache.get()).toBe(2);
    expect(loads).toBe(2);
  });

  it('answers the last good value when a reload fails, and rejects when there is none', async () => {
    let now = 0;
    let fail = true;
    const cache = new TtlCache(
      1000,
      async () => {
        if (fail) throw new Error('database away');
        return 'figures';
      },
      () => now,
    );
    await expect(cache.get()).rejects.toThrow('database away');
    fail = false;
    expect(await cache.get()).toBe('figures');
    fail = true;
    now = 5000;
    expect(await cache.get()).toBe('figures');
  });
});
