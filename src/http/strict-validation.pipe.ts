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
    validationError: { target: false, value: true },
    exceptionFactory: (errors) => AppError.validation(flatten(errors)),
  });

  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    const isDto = typeof metadata.metatype === 'function' && !BUILT_INS.has(metadata.metatype);
    if (!isDto) return value;
    if (metadata.type === 'body' && value !== undefined) {
      if (!isPlainObject(value)) throw AppError.validation([{ field: '', message: 'the body must be a JSON object' }]);
      const problem = shapeProblem(value as object);
      if (problem !== null) throw AppError.validation([problem]);
    }
    return this.validation.transform(value, metadata);
  }
}

/** Deeper than any DTO of this API; deep enough nesting overflows the validator's stack. */
const MAX_DEPTH = 16;

/**
 * One pass over a JSON body before validation: nesting within MAX_DEPTH, every string
 * well-formed Unicode (a lone surrogate crashes string validators). Iterative, so no input can
 * exhaust the stack here.
 */
function shapeProblem(body: object): FieldProblem | null {
  const stack: [unknown, number, string, string][] = Object.entries(body).map(([name, value]) => [
    value,
    1,
    name,
    name,
  ]);
  for (const name of Object.keys(body)) if (!name.isWellFormed()) return { field: '', message: ILL_FORMED };
  while (stack.length > 0) {
    // The field is the top-level property, as the validator names it; the message has the path.
    const [value, depth, path, field] = stack.pop()!;
    if (typeof value === 'string') {
      if (!value.isWellFormed()) return { field, message: `${path}: ${ILL_FORMED}` };
    } else if (typeof value === 'object' && value !== null) {
      if (depth >= MAX_DEPTH) return { field, message: `${path} is nested deeper than ${MAX_DEPTH} levels` };
      for (const [name, child] of Object.entries(value)) {
        if (!name.isWellFormed()) return { field, message: `${path}: ${ILL_FORMED}` };
        stack.push([child, depth + 1, Array.isArray(value) ? `${path}[${name}]` : `${path}.${name}`, field]);
      }
    }
  }
  return null;
}

const ILL_FORMED = 'strings must be well-formed Unicode (no lone surrogates)';

const BUILT_INS = new Set<unknown>([String, Boolean, Number, Array, Object]);

function isPlainObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Range checks that only make sense once the value has the right type and form. */
const RANGE_CONSTRAINTS = new Set(['min', 'max']);

/**
 * One field, one story: a field left out is "required" (not every rule it would break), and a
 * range message is dropped when the field also fails a rule about what it is. Values are read
 * here only to tell "left out" apart; they never go into a message.
 */
function flatten(errors: ValidationError[], parent = ''): FieldProblem[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const constraints = Object.entries(error.constraints ?? {});
    if (error.value === undefined && constraints.length > 0) return [{ field, message: `${field} is required` }];
    const typeOrForm = constraints.filter(([name]) => !RANGE_CONSTRAINTS.has(name));
    const own = (typeOrForm.length > 0 ? typeOrForm : constraints).map(([, message]) => ({ field, message }));
    return [...own, ...flatten(error.children ?? [], field)];
  });
}
