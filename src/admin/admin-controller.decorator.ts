import { applyDecorators, Controller, UseFilters, UseGuards, UsePipes } from '@nestjs/common';
import { ApiBearerAuth, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { AdminAuthGuard } from './admin-auth.guard';
import { adminValidationPipe } from './admin-validation.pipe';
import { ApiUnauthorized } from './api-error-responses';
import { HistoryUnavailableFilter } from './history-unavailable.filter';

export const ADMIN_API_PREFIX = 'api/v1';
export const BEARER_SCHEME = 'bearer';
export const API_KEY_SCHEME = 'api-key';

/** An admin API controller under /api/v1: authenticated, validated, documented; failed history reads answer 503 or 500. */
export function AdminController(path: string, tag: string): ClassDecorator {
  return applyDecorators(
    Controller(`${ADMIN_API_PREFIX}/${path}`),
    ApiTags(tag),
    ApiBearerAuth(BEARER_SCHEME),
    ApiSecurity(API_KEY_SCHEME),
    ApiUnauthorized(),
    UseGuards(AdminAuthGuard),
    UsePipes(adminValidationPipe),
    UseFilters(HistoryUnavailableFilter),
  );
}
