import { PipeTransform } from '@nestjs/common';
import { PHASE_NAME } from 'src/beta-monitor/beta-monitor.dto';
import { AppError } from 'src/http/app-error';

export class PhaseNamePipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!PHASE_NAME.test(value))
      throw AppError.validation([{ field: 'phase', message: 'phase must match ^[a-z][a-z0-9_]{1,63}$' }]);
    return value;
  }
}
