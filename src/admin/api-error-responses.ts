import { applyDecorators } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiInternalServerErrorResponse,
  ApiNotFoundResponse,
  ApiServiceUnavailableResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import {
  BadRequestResponseDto,
  InternalServerErrorResponseDto,
  NotFoundResponseDto,
  ServiceUnavailableResponseDto,
  UnauthorizedResponseDto,
} from './dto/error-response.dto';

/** Documented error responses of the admin API, each with the body (and example) of its own status. */
export const ApiBadRequest = (description: string) => ApiBadRequestResponse({ description, type: BadRequestResponseDto });

export const ApiUnauthorized = () =>
  ApiUnauthorizedResponse({ description: 'Missing or wrong API key (or refused by the host app’s guard).', type: UnauthorizedResponseDto });

export const ApiNotFound = (description: string) => ApiNotFoundResponse({ description, type: NotFoundResponseDto });

/** A route that reads the history database: 500 when a query fails, 503 when the database is out of reach. */
export const ApiHistoryErrors = () =>
  applyDecorators(
    ApiInternalServerErrorResponse({
      description: 'The history database refused the query (a fault: the cause is logged by the server, not sent).',
      type: InternalServerErrorResponseDto,
    }),
    ApiServiceUnavailableResponse({
      description: 'The history database is unreachable or busy: try again later.',
      type: ServiceUnavailableResponseDto,
    }),
  );
