import { ParseUUIDPipe } from '@nestjs/common';
import { AppError } from 'src/http/app-error';

/** Path ids are UUIDs; anything else is a 400 naming the parameter, never a database error. */
export const UuidParam = new ParseUUIDPipe({
  exceptionFactory: () => AppError.validation([{ field: 'id', message: 'id must be a UUID' }]),
});
