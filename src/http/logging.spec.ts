import { featureKeyOf, redactUrl } from 'src/http/logging';

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

describe('redactUrl (credentials never reach the log)', () => {
  it.each([
    ['/api/auth/me?access_token=eyJhbGciOi.x.y', '/api/auth/me?access_token=[redacted]'],
    ['/x?a=1&token=fds_abc&b=2', '/x?a=1&token=[redacted]&b=2'],
    ['/x?password=hunter2&client_secret=s&API_KEY=k', '/x?password=[redacted]&client_secret=[redacted]&API_KEY=[redacted]'],
    ['/x?Access%5Ftoken=a', '/x?Access%5Ftoken=[redacted]'],
  ])('%s', (url, logged) => {
    expect(redactUrl(url)).toBe(logged);
  });

  it.each(['/api/feature-flags/f_1/evaluate?subjectId=pass_1', '/health/ready', '/x?tokens_count'])('leaves %s alone', (url) => {
    expect(redactUrl(url)).toBe(url);
  });
});
