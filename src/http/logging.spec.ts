import { featureKeyOf } from 'src/http/logging';

describe('featureKeyOf (feature_key on request log lines)', () => {
  it.each([
    ['/api/admin/feature-flags/passenger_favorites_matching', 'passenger_favorites_matching'],
    ['/api/admin/feature-flags/passenger_favorites_matching/allowlist/p1', 'passenger_favorites_matching'],
    ['/api/feature-flags/passenger_favorites_matching/evaluate?subjectId=x', 'passenger_favorites_matching'],
    ['/api/admin/beta-monitor/passenger_favorites_matching/run', 'passenger_favorites_matching'],
    ['/ofrep/v1/evaluate/flags/passenger_favorites_matching', 'passenger_favorites_matching'],
  ])('finds the flag in %s', (url, key) => {
    expect(featureKeyOf(url)).toBe(key);
  });

  it.each(['/api/admin/feature-flags', '/api/feature-flags/evaluate', '/health/ready', '/ofrep/v1/evaluate/flags', '/api/admin/feature-flags/Bad-Key'])(
    'finds none in %s',
    (url) => {
      expect(featureKeyOf(url)).toBeUndefined();
    },
  );
});
