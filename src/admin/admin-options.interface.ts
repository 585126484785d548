import type { CanActivate, Type } from '@nestjs/common';

/** Options of AdminModule: how its routes are authorised, one way or the other. */
export interface AdminModuleOptions {
  /** Key accepted as `Authorization: Bearer <key>` or `X-API-Key: <key>`. */
  apiKey?: string;
  /** A guard of the host app that replaces the API key check (resolved with the host's providers). */
  guard?: Type<CanActivate>;
}

/** The options checked: exactly one of an API key and a guard. */
export type ResolvedAdminOptions =
  | { readonly apiKey: string; readonly guard?: undefined }
  | { readonly apiKey?: undefined; readonly guard: Type<CanActivate> };
