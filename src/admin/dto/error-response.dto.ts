import { ApiProperty } from '@nestjs/swagger';

/**
 * Nest's error body (`statusCode`, `message`, `error`), one class per status so that each documented
 * error response shows its own status, reason phrase and a message it really sends.
 */
export class BadRequestResponseDto {
  @ApiProperty({ example: 400 })
  statusCode: number;

  @ApiProperty({
    description: 'What is wrong: a sentence, or one per invalid field.',
    oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }],
    example: ['limit must not be less than 1'],
  })
  message: string | string[];

  @ApiProperty({ example: 'Bad Request' })
  error: string;
}

export class UnauthorizedResponseDto {
  @ApiProperty({ example: 401 })
  statusCode: number;

  @ApiProperty({ example: 'invalid API key' })
  message: string;

  @ApiProperty({ example: 'Unauthorized' })
  error: string;
}

export class NotFoundResponseDto {
  @ApiProperty({ example: 404 })
  statusCode: number;

  @ApiProperty({ example: 'room room1 is not active' })
  message: string;

  @ApiProperty({ example: 'Not Found' })
  error: string;
}

export class InternalServerErrorResponseDto {
  @ApiProperty({ example: 500 })
  statusCode: number;

  @ApiProperty({ description: 'Always this sentence: the cause is in the server log, never in the response.', example: 'history query failed' })
  message: string;

  @ApiProperty({ example: 'Internal Server Error' })
  error: string;
}

export class ServiceUnavailableResponseDto {
  @ApiProperty({ example: 503 })
  statusCode: number;

  @ApiProperty({
    description: 'Always this sentence: the cause is in the server log, never in the response.',
    example: 'history database unavailable: try again later',
  })
  message: string;

  @ApiProperty({ example: 'Service Unavailable' })
  error: string;
}
