import { Module } from '@nestjs/common';
import { ConsoleAssets } from './console-assets.service';
import { ConsoleController } from './console.controller';

/**
 * The operator console at `/console`: live rooms and peers with forced leave, and history charts, drawn
 * in the browser from the admin API. Import it next to `AdminModule` (it calls that module's routes,
 * under the same global prefix); the page needs no key of its own: the operator pastes the admin API key.
 */
@Module({
  controllers: [ConsoleController],
  providers: [ConsoleAssets],
})
export class AdminConsoleModule {}
