import { HTTP_DURATION_BUCKETS, HttpRequestStats } from 'src/metrics/http-request-stats';

describe('HttpRequestStats', () => {
  it('counts by route, method and status, with cumulative duration buckets', () => {
    const stats = new HttpRequestStats();
    const evaluate = stats.forRoute('/api/feature-flags/:key/evaluate');
    evaluate.record('GET', 200, 0.3);
    evaluate.record('GET', 200, 3);
    evaluate.record('GET', 200, 20_000);
    evaluate.record('GET', 401, 1);
    expect(stats.forRoute('/api/feature-flags/:key/evaluate')).toBe(evaluate);
    const samples = stats.samples();
    expect(samples.map(({ method, route, status, count }) => [method, route, status, count])).toEqual([
      ['GET', '/api/feature-flags/:key/evaluate', 200, 3],
      ['GET', '/api/feature-flags/:key/evaluate', 401, 1],
    ]);
    const ok = samples[0];
    expect(ok.sumSeconds).toBeCloseTo(20.0033, 6);
    const le = (bound: number) =>
      ok.cumulative[HTTP_DURATION_BUCKETS.indexOf(bound as (typeof HTTP_DURATION_BUCKETS)[number])];
    expect([le(0.0005), le(0.0025), le(0.005), le(10), ok.cumulative[HTTP_DURATION_BUCKETS.length]]).toEqual([
      1, 1, 2, 2, 3,
    ]);
  });

  it('puts a duration equal to a bound into that bound’s bucket (le is inclusive)', () => {
    const stats = new HttpRequestStats();
    stats.forRoute('/x').record('GET', 200, 1);
    expect(stats.samples()[0].cumulative.slice(0, 3)).toEqual([0, 1, 1]);
  });
});
