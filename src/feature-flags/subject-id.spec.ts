import { subjectIdProblem } from 'src/feature-flags/subject-id';

describe('subject IDs', () => {
  it.each(['pass_beta_001_2026', 'Jørgen', '山田太郎', '🚕-rider-7', 'a b/c?d', '🚕'.repeat(128), 'x'])(
    'accepts %s',
    (id) => {
      expect(subjectIdProblem(id)).toBeNull();
    },
  );

  it.each([
    ['', 'must not be empty'],
    ['x'.repeat(129), 'at most 128 characters'],
    ['🚕'.repeat(129), 'at most 128 characters'],
    ['a\u0000b', 'control characters'],
    ['line\nbreak', 'control characters'],
    ['del\u007f', 'control characters'],
    ['\ud800', 'well-formed'],
    ['pass\u202e1', 'format characters'],
    ['pass\u200b1', 'format characters'],
    ['\ufeffpass1', 'format characters'],
    ['a\u00adb', 'format characters'],
    [42, 'must be a string'],
    [null, 'must be a string'],
  ])('refuses %j: %s', (id, problem) => {
    expect(subjectIdProblem(id)).toContain(problem);
  });
});
