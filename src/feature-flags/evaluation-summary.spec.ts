import { Writable } from 'node:stream';
import { EvaluationSummary } from 'src/feature-flags/evaluation-summary';
import { FlagRequestCounter } from 'src/feature-flags/flag-request-counter';
import { AppLogger, createRootLogger } from 'src/http/logging';

function summaryOver(counter: FlagRequestCounter) {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString('utf8')));
      done();
    },
  });
  return {
    lines,
    summary: new EvaluationSummary(counter, new AppLogger(createRootLogger({ logLevel: 'info' }, stream))),
  };
}

describe('EvaluationSummary (one log line per flag and minute instead of one per evaluation)', () => {
  it('reports the evaluations since the last summary, per flag and reason', () => {
    const counter = new FlagRequestCounter();
    const { lines, summary } = summaryOver(counter);
    for (let i = 0; i < 3; i++) counter.countReason('checkout_v2', 'ROLLOUT');
    counter.countReason('checkout_v2', 'ALLOWLIST');
    counter.countReason('unknown_flag', 'FLAG_NOT_FOUND');
    summary.flush(new Date('2026-12-03T18:01:00Z'));
    expect(lines.map(({ msg, feature_key, total, reasons, to }) => ({ msg, feature_key, total, reasons, to }))).toEqual(
      [
        {
          msg: 'evaluations',
          feature_key: 'checkout_v2',
          total: 4,
          reasons: { ROLLOUT: 3, ALLOWLIST: 1 },
          to: '2026-12-03T18:01:00.000Z',
        },
        {
          msg: 'evaluations',
          feature_key: 'unknown_flag',
          total: 1,
          reasons: { FLAG_NOT_FOUND: 1 },
          to: '2026-12-03T18:01:00.000Z',
        },
      ],
    );

    counter.countReason('checkout_v2', 'ROLLOUT_EXCLUDED');
    const next = summary.summarise(new Date('2026-12-03T18:02:00Z'));
    expect(next).toEqual([
      {
        feature_key: 'checkout_v2',
        from: '2026-12-03T18:01:00.000Z',
        to: '2026-12-03T18:02:00.000Z',
        total: 1,
        reasons: { ROLLOUT_EXCLUDED: 1 },
      },
    ]);
  });

  it('writes nothing for a quiet minute', () => {
    const counter = new FlagRequestCounter();
    const { lines, summary } = summaryOver(counter);
    counter.countReason('checkout_v2', 'ROLLOUT');
    summary.flush();
    summary.flush();
    expect(lines).toHaveLength(1);
  });
});
