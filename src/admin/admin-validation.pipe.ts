import { ValidationPipe } from '@nestjs/common';

/** Validation of every admin request: unknown fields are refused, values converted to their types. */
export const adminValidationPipe = new ValidationPipe({
  whitelist: true,
  forbidNonWhitelisted: true,
  transform: true,
  // One message per field: the first rule it breaks.
  stopAtFirstError: true,
});
