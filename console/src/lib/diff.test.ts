import { describe, expect, it } from 'vitest';
import { diffOf } from './diff';

describe('diffOf', () => {
  it('lists the changed fields before → after, leaving out bookkeeping', () => {
    expect(
      diffOf(
        { enabled: true, rolloutPercentage: 0, version: 3, description: 'x' },
        { enabled: false, rolloutPercentage: 0, version: 4, description: 'x' },
      ),
    ).toEqual([{ field: 'enabled', before: 'true', after: 'false' }]);
  });

  it('shows fields that appear or disappear, and nested values as JSON', () => {
    expect(diffOf(null, { allowlistCount: 10, subjectIds: ['a', 'b'] })).toEqual([
      { field: 'allowlistCount', before: '—', after: '10' },
      { field: 'subjectIds', before: '—', after: '["a","b"]' },
    ]);
    expect(diffOf({ masterSwitch: null }, {})).toEqual([{ field: 'masterSwitch', before: 'null', after: '—' }]);
  });
});
