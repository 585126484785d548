import { applyDecorators, Controller, UseFilters, UseGuards, UsePipes } from '@nestjs/common';
import { ApiBearerAuth, ApiSecurity, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { AdminAuthGuard } from './admin-auth.guard';
import { adminValidationPipe } from './admin-validation.pipe';
import { ErrorResponseDto } from './dto/error-response.dto';
import { HistoryUnavailableFilter } from './history-unavailable.filter';

export const ADMIN_API_PREFIX = 'api/v1';
export const BEARER_SCHEME = 'bearer';
export const API_KEY_SCHEME = 'api-key';

/** An admin API controller under /api/v1: authenticated, validated, documented; history outages answer 503. */
export function AdminController(path: string, tag: string): ClassDecorator {
  return applyDecorators(
    Controller(`${ADMIN_API_PREFIX}/${path}`),
    ApiTags(tag),
    ApiBearerAuth(BEARER_SCHEME),
    ApiSecurity(API_KEY_SCHEME),
    ApiUnauthorizedResponse({ description: 'Missing or wrong API key.', type: ErrorResponseDto }),
    UseGuards(AdminAuthGuard),
    UsePipes(adminValidationPipe),
    UseFilters(HistoryUnavailableFilter),
  );
}
