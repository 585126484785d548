import { Controller, Get, Header } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from './config/project-root';

export const ASYNCAPI_URL = '/api/docs/asyncapi.yaml';

/** The standalone app serves the AsyncAPI document of the WebSocket protocol (docs/asyncapi.yaml). */
@Controller()
@ApiExcludeController()
export class AsyncApiController {
  private readonly asyncApi = readFileSync(join(projectRoot(), 'docs', 'asyncapi.yaml'), 'utf8');

  @Get(ASYNCAPI_URL.slice(1))
  @Header('Content-Type', 'application/yaml; charset=utf-8')
  asyncApiDocument(): string {
    return this.asyncApi;
  }
}
