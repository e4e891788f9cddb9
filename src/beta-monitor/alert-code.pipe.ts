import { PipeTransform } from '@nestjs/common';
import { AppError } from 'src/http/app-error';

/** An alert code in a path (`CONFIG_DRIFT`, `ROLLBACK_EXECUTED`, …): capitals, digits and _. */
export class AlertCodePipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!/^[A-Z][A-Z0-9_]{0,63}$/.test(value))
      throw AppError.validation([{ field: 'code', message: 'code must be an alert code such as CONFIG_DRIFT' }]);
    return value;
  }
}
