import { ArgumentMetadata, Injectable, PipeTransform, ValidationError, ValidationPipe } from '@nestjs/common';
import { AppError, FieldProblem } from 'src/http/app-error';

/**
 * The one validation pipe: unknown fields are refused, values are transformed to their DTO
 * types, and every problem is reported at once with the field's path. Plain values (path and
 * query strings) pass straight through, synchronously: their own pipes check them, and the
 * evaluation routes should not pay for a validator they do not use.
 */
@Injectable()
export class StrictValidationPipe implements PipeTransform {
  private readonly validation = new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    stopAtFirstError: false,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => AppError.validation(flatten(errors)),
  });

  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    const isDto = typeof metadata.metatype === 'function' && !BUILT_INS.has(metadata.metatype);
    if (!isDto) return value;
    if (metadata.type === 'body' && value !== undefined && !isPlainObject(value)) {
      throw AppError.validation([{ field: '', message: 'the body must be a JSON object' }]);
    }
    return this.validation.transform(value, metadata);
  }
}

const BUILT_INS = new Set<unknown>([String, Boolean, Number, Array, Object]);

function isPlainObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function flatten(errors: ValidationError[], parent = ''): FieldProblem[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => ({ field, message }));
    return [...own, ...flatten(error.children ?? [], field)];
  });
}
