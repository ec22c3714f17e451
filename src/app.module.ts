import { DynamicModule, Module } from '@nestjs/common';
import { AgentRuntimeModule } from './agent-runtime/agent-runtime.module';
import { AuthModule } from './auth/auth.module';
import { ConsoleModule } from './console/console.module';
import { AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { GatewayModule } from './gateway/gateway.module';
import { HealthModule } from './health/health.module';
import { MetricsModule } from './metrics/metrics.module';
import { PlatformModule } from './platform/platform.module';
import { RedisModule } from './redis/redis.module';
import { SessionModule } from './session/session.module';

/** Only imports modules. Dependencies run one way: gateway / platform → agent-runtime → session. */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        MetricsModule,
        DatabaseModule,
        AuthModule.forRoot(config),
        HealthModule,
        RedisModule,
        SessionModule,
        AgentRuntimeModule,
        GatewayModule,
        PlatformModule,
        ConsoleModule,
      ],
    };
  }
}
