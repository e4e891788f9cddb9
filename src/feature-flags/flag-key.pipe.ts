import { PipeTransform } from '@nestjs/common';
import { AppError } from 'src/http/app-error';

export const FLAG_KEY_PATTERN = /^[a-z][a-z0-9_]{2,63}$/;

/** Flag keys in paths: a malformed key is a 400 naming the rule, never a lookup. */
export class FlagKeyPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!FLAG_KEY_PATTERN.test(value)) {
      throw AppError.validation([
        { field: 'key', message: 'key must match ^[a-z][a-z0-9_]{2,63}$ (lowercase letters, digits, underscores)' },
      ]);
    }
    return value;
  }
}
