import { SetMetadata } from '@nestjs/common';

/**
 * The metadata `@ApiExcludeController()` of `@nestjs/swagger` sets (`swagger/apiExcludeController`),
 * set without loading `@nestjs/swagger`: the metrics and health parts stay out of a host's Swagger
 * document, and a host without Swagger does not need the package to load them.
 */
export const API_EXCLUDE_CONTROLLER_METADATA = 'swagger/apiExcludeController';

export const ExcludeFromApiDocs = (): ClassDecorator => SetMetadata(API_EXCLUDE_CONTROLLER_METADATA, [true]);
