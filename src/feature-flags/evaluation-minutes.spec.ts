import { EvaluationTally } from 'src/feature-flags/evaluation-minutes';

const T = Date.parse('2026-02-01T06:00:10Z');
const MINUTE = 60_000;

describe('EvaluationTally', () => {
  it('counts ON and OFF per flag and minute, and take() empties it', () => {
    const tally = new EvaluationTally();
    tally.count('checkout_v2', true, T);
    tally.count('checkout_v2', true, T + 1000);
    tally.count('checkout_v2', false, T + MINUTE);
    tally.count('search_v3', false, T);
    expect(tally.take()).toEqual([
      { featureKey: 'checkout_v2', minute: Math.floor(T / MINUTE), on: 2, off: 0 },
      { featureKey: 'checkout_v2', minute: Math.floor(T / MINUTE) + 1, on: 0, off: 1 },
      { featureKey: 'search_v3', minute: Math.floor(T / MINUTE), on: 0, off: 1 },
    ]);
    expect(tally.isEmpty).toBe(true);
    expect(tally.take()).toEqual([]);
  });

  it('restore() adds back what a failed write took, to counts made meanwhile, and drops what is over a day old', () => {
    const tally = new EvaluationTally();
    tally.count('checkout_v2', true, T);
    const taken = tally.take();
    tally.count('checkout_v2', true, T);
    const stale = { featureKey: 'checkout_v2', minute: Math.floor(T / MINUTE) - 24 * 60 - 1, on: 5, off: 5 };
    tally.restore([...taken, stale], T);
    expect(tally.take()).toEqual([{ featureKey: 'checkout_v2', minute: Math.floor(T / MINUTE), on: 2, off: 0 }]);
  });
});
