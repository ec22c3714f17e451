import { Global, Module } from '@nestjs/common';
import { MetricsController } from './metrics.controller';
import { Metrics } from './metrics.service';

/**
 * `GET /metrics` and the instruments behind it. Global because every layer records into it (database
 * commits, model calls, turns, sockets) and it depends on nothing but prom-client.
 */
@Global()
@Module({
  controllers: [MetricsController],
  providers: [Metrics],
  exports: [Metrics],
})
export class MetricsModule {}
