import { OfrepAnswerTexts, toOfrep } from 'src/feature-flags/ofrep';
import type { Evaluation } from 'src/feature-flags/resolver';

describe('OfrepAnswerTexts', () => {
  const outcomes: Evaluation[] = [
    { enabled: true, reason: 'ALLOWLIST', bucket: 17, version: 3 },
    { enabled: true, reason: 'ROLLOUT', bucket: 40, version: 3 },
    { enabled: false, reason: 'ROLLOUT_EXCLUDED', bucket: 9000, version: 3 },
    { enabled: false, reason: 'DISABLED', bucket: 12, version: 3 },
    { enabled: false, reason: 'MASTER_SWITCH', bucket: 12, version: 3 },
  ];

  it('writes each answer as the JSON of the protocol object, whatever the subject’s bucket', () => {
    const texts = new OfrepAnswerTexts();
    for (const evaluation of outcomes) {
      expect(texts.of('passenger_favorites_matching', evaluation)).toBe(
        JSON.stringify(toOfrep('passenger_favorites_matching', evaluation)),
      );
      const otherSubject = { ...evaluation, bucket: (evaluation.bucket ?? 0) + 1 };
      expect(JSON.parse(texts.of('passenger_favorites_matching', otherSubject))).toEqual(
        toOfrep('passenger_favorites_matching', otherSubject),
      );
    }
    expect(JSON.parse(texts.of('passenger_favorites_matching', outcomes[4])).metadata.killSwitch).toBe('env');
  });

  it('answers with the new version once the flag changes', () => {
    const texts = new OfrepAnswerTexts();
    texts.of('checkout_v2', { enabled: true, reason: 'ROLLOUT', bucket: 1, version: 1 });
    const after = JSON.parse(texts.of('checkout_v2', { enabled: true, reason: 'ROLLOUT', bucket: 1, version: 2 }));
    expect(after.metadata.version).toBe(2);
  });
});
