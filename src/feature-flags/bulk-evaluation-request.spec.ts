import { ArgumentMetadata } from '@nestjs/common';
import { bulkEvaluationRequestOf } from 'src/feature-flags/bulk-evaluation-request';
import { BulkEvaluationRequestDto } from 'src/feature-flags/evaluation.dto';
import { AppError } from 'src/http/app-error';
import { StrictValidationPipe } from 'src/http/strict-validation.pipe';

const verdict = async (run: () => unknown): Promise<string> => {
  try {
    await run();
    return 'accepted';
  } catch (error) {
    const problem = error as AppError;
    return `${problem.status} ${[...new Set((problem.extra.errors ?? []).map((e) => e.field))].sort().join(',')}`;
  }
};

const BODIES: unknown[] = [
  { subjectId: 'pass_beta_001_2026' },
  { subjectId: 'Jørgen', keys: ['passenger_favorites_matching', 'checkout_v2'] },
  { subjectId: 'p1', keys: [] },
  {},
  { subjectId: '' },
  { subjectId: 42 },
  { subjectId: 'x'.repeat(129) },
  { subjectId: 'line\nbreak' },
  { subjectId: 'p1', keys: 'passenger_favorites_matching' },
  { subjectId: 'p1', keys: ['BAD'] },
  { subjectId: 'p1', keys: [42] },
  { subjectId: 'p1', keys: Array.from({ length: 501 }, (_, i) => `flag_${i}`) },
  { subjectId: 'p1', keys: null },
  { subjectId: 'p1', extra: true },
  { subjectId: 42, keys: ['BAD'], extra: true },
  [],
  'text',
  null,
];

describe('bulkEvaluationRequestOf', () => {
  const documented = new StrictValidationPipe();
  const metadata: ArgumentMetadata = { type: 'body', metatype: BulkEvaluationRequestDto, data: '' };

  it.each(BODIES.map((body) => [JSON.stringify(body)?.slice(0, 60), body]))(
    'gives the verdict of the documented DTO (status and fields) for %s',
    async (_label, body) => {
      const expected = await verdict(() => documented.transform(body, metadata));
      expect(await verdict(() => bulkEvaluationRequestOf(body))).toBe(expected);
    },
  );

  it('passes subject and keys through unchanged', () => {
    expect(bulkEvaluationRequestOf({ subjectId: 'p1', keys: ['checkout_v2'] })).toEqual({
      subjectId: 'p1',
      keys: ['checkout_v2'],
    });
    expect(bulkEvaluationRequestOf({ subjectId: 'p1' })).toEqual({ subjectId: 'p1' });
  });
});
