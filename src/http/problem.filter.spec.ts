import { NotFoundException } from '@nestjs/common';
import { QueryFailedError } from 'typeorm';
import { AppError } from 'src/http/app-error';
import { ProblemFilter } from 'src/http/problem.filter';

const sqlError = (code: string) =>
  new QueryFailedError(
    'INSERT INTO users (email) VALUES ($1)',
    ['x'],
    Object.assign(new Error('duplicate key value'), { code }),
  );

describe('ProblemFilter', () => {
  const filter = new ProblemFilter();

  it('keeps an AppError with its code and extra fields', () => {
    expect(filter.toProblem(AppError.versionConflict(7), 'r1')).toMatchObject({
      status: 412,
      code: 'VERSION_CONFLICT',
      currentVersion: 7,
      requestId: 'r1',
      type: 'https://flagdog.dev/problems/version-conflict',
    });
  });

  it('turns a unique violation into 409 without SQL in the body', () => {
    const problem = filter.toProblem(sqlError('23505'), 'r2');
    expect(problem).toMatchObject({ status: 409, code: 'CONFLICT' });
    expect(JSON.stringify(problem)).not.toMatch(/INSERT|users|duplicate key/);
  });

  it('turns a lost database into 503 DATABASE_UNAVAILABLE', () => {
    expect(filter.toProblem(new Error('connect ECONNREFUSED 127.0.0.1:5432'), null)).toMatchObject({
      status: 503,
      code: 'DATABASE_UNAVAILABLE',
    });
    expect(filter.toProblem(sqlError('57P01'), null)).toMatchObject({ status: 503 });
  });

  it('hides the details of unknown errors', () => {
    const problem = filter.toProblem(new TypeError("Cannot read properties of undefined (reading 'secret')"), 'r3');
    expect(problem).toMatchObject({ status: 500, code: 'INTERNAL_ERROR' });
    expect(JSON.stringify(problem)).not.toContain('secret');
  });

  it('names unknown routes 404 NOT_FOUND', () => {
    expect(filter.toProblem(new NotFoundException('Cannot GET /x'), null)).toMatchObject({
      status: 404,
      code: 'NOT_FOUND',
    });
  });
});
