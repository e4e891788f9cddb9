import { PipeTransform } from '@nestjs/common';
import { subjectIdProblem } from 'src/feature-flags/subject-id';
import { AppError } from 'src/http/app-error';

export class SubjectIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    const problem = subjectIdProblem(value);
    if (problem !== null) throw AppError.validation([{ field: 'subjectId', message: `subjectId ${problem}` }]);
    return value;
  }
}
