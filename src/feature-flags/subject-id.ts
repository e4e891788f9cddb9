import { ValidationOptions, registerDecorator } from 'class-validator';

const CONTROL = /\p{Cc}/u;
/** Control and format characters; format ones (bidi overrides, zero-width) make look-alike IDs. */
const INVISIBLE = /[\p{Cc}\p{Cf}]/u;

/**
 * Why a subject ID is not acceptable, or null: 1–128 characters (Unicode code points, so
 * `山田太郎` is 4), no control or format characters (U+202E, U+200B, U+FEFF… would let two
 * entries look the same), well-formed Unicode. Any script is welcome.
 */
export function subjectIdProblem(value: unknown): string | null {
  if (typeof value !== 'string') return 'must be a string';
  if (value.length === 0) return 'must not be empty';
  if (!value.isWellFormed()) return 'must be well-formed Unicode';
  // Code points never outnumber UTF-16 units, so only long strings need counting.
  const length = value.length > 128 ? [...value].length : value.length;
  if (length > 128) return `must be at most 128 characters (has ${length})`;
  if (INVISIBLE.test(value)) {
    return CONTROL.test(value)
      ? 'must not contain control characters'
      : 'must not contain invisible format characters such as U+200B, U+202E or U+FEFF';
  }
  return null;
}

export function IsSubjectId(options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'isSubjectId',
      target: target.constructor,
      propertyName: String(propertyName),
      options,
      validator: {
        validate: (value: unknown) => subjectIdProblem(value) === null,
        defaultMessage: (args) => {
          const values = Array.isArray(args?.value) ? args.value : [args?.value];
          const index = values.findIndex((value: unknown) => subjectIdProblem(value) !== null);
          const where = Array.isArray(args?.value) ? `${args?.property}[${index}]` : String(args?.property);
          return `${where} ${subjectIdProblem(values[index]) ?? 'is not valid'}`;
        },
      },
    });
}
