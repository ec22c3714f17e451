import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { Public } from '../auth/public.decorator';
import { SERVICE_NAME, SERVICE_VERSION } from './service-info';

class HealthResponseDto {
  @ApiProperty({ example: 'healthy' })
  readonly status!: 'healthy';

  @ApiProperty({ example: SERVICE_NAME })
  readonly service!: string;

  @ApiProperty({ example: SERVICE_VERSION })
  readonly version!: string;
}

@ApiTags('health')
@Public()
@Controller()
export class HealthController {
  @Get(['health', 'api/v1/health'])
  @ApiOperation({ summary: 'Liveness' })
  @ApiOkResponse({ type: HealthResponseDto })
  health(): HealthResponseDto {
    return { status: 'healthy', service: SERVICE_NAME, version: SERVICE_VERSION };
  }
}
