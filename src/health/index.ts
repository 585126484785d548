/** `nest-ams-p2p-signaling/health`: liveness and readiness probes. Needs `@nestjs/terminus`. */
export { HealthModule } from './health.module';
