import { bulkAnswer, OfrepAnswerTexts, toOfrep } from 'src/feature-flags/ofrep';
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
      expect(texts.of('passenger_favorites_matching', evaluation).json).toBe(
        JSON.stringify(toOfrep('passenger_favorites_matching', evaluation)),
      );
      const otherSubject = { ...evaluation, bucket: (evaluation.bucket ?? 0) + 1 };
      expect(JSON.parse(texts.of('passenger_favorites_matching', otherSubject).json)).toEqual(
        toOfrep('passenger_favorites_matching', otherSubject),
      );
    }
    expect(JSON.parse(texts.of('passenger_favorites_matching', outcomes[4]).json).metadata.killSwitch).toBe('env');
  });

  it('answers with the new version once the flag changes', () => {
    const texts = new OfrepAnswerTexts();
    texts.of('checkout_v2', { enabled: true, reason: 'ROLLOUT', bucket: 1, version: 1 });
    const after = JSON.parse(texts.of('checkout_v2', { enabled: true, reason: 'ROLLOUT', bucket: 1, version: 2 }).json);
    expect(after.metadata.version).toBe(2);
  });

  it('joins texts into one bulk answer whose ETag changes exactly when the answer does', () => {
    const texts = new OfrepAnswerTexts();
    const answer = (first: Evaluation, second: Evaluation) =>
      bulkAnswer([texts.of('checkout_v2', first), texts.of('passenger_favorites_matching', second)]);
    const one = answer(outcomes[1], outcomes[2]);
    expect(JSON.parse(one.json)).toEqual({
      flags: [toOfrep('checkout_v2', outcomes[1]), toOfrep('passenger_favorites_matching', outcomes[2])],
    });
    expect(one.etag).toMatch(/^"[A-Za-z0-9_-]{27}"$/);
    // Another subject with the same outcomes (other buckets): the same answer, the same tag.
    expect(answer({ ...outcomes[1], bucket: 99 }, { ...outcomes[2], bucket: 1 })).toEqual(one);
    // On another instance (a fresh cache), too.
    expect(
      bulkAnswer([
        new OfrepAnswerTexts().of('checkout_v2', outcomes[1]),
        texts.of('passenger_favorites_matching', outcomes[2]),
      ]),
    ).toEqual(one);
    const changed = [
      answer(outcomes[0], outcomes[2]),
      answer(outcomes[1], outcomes[3]),
      answer(outcomes[1], { ...outcomes[2], version: 4 }),
    ];
    for (const other of changed) {
      expect(other.json).not.toBe(one.json);
      expect(other.etag).not.toBe(one.etag);
    }
    expect(bulkAnswer([])).toEqual({ json: '{"flags":[]}', etag: expect.stringMatching(/^"[A-Za-z0-9_-]{27}"$/) });
  });
});
