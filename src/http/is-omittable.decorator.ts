import { ValidateIf } from 'class-validator';

/**
 * The field may be left out, but not sent as null: `{"rolloutPercentage": null}` is a 400,
 * unlike class-validator's @which lets null through to the service.
 */
export const IsOmittable = (): PropertyDecorator => ValidateIf((_object, value) => value !== undefined);
