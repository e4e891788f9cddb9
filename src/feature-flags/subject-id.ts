import { ValidationOptions, registerDecorator } from 'class-validator';

const CONTROL = /\p{Cc}/u;

/**
 * Why a subject ID is not acceptable, or null: 1–128 characters (Unicode code points, so
 * `山田太郎` is 4), no control characters, well-formed Unicode. Any script is welcome.
 */
export function subjectIdProblem(value: unknown): string | null {
  if (typeof value !== 'string') return 'must be a string';
  if (value.length === 0) return 'must not be empty';
  if (!value.isWellFormed()) return 'must be well-formed Unicode';
  // Code points never outnumber UTF-16 units, so only long strings need counting.
  const length = value.length > 128 ? [...value].length : value.length;
  if (length > 128) return `must be at most 128 characters (has ${length})`;
  if (CONTROL.test(value)) return 'must not contain control characters';
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
