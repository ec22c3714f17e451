import { Controller, Get, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBearerAuth, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { ApiTooManyRequestsResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { CurrentPrincipal } from '../../auth/current-principal.decorator';
import { Principal, scopeOf } from '../../auth/principal';
import { ErrorResponseDto } from '../../common/error-response.dto';
import { SearchQueryDto } from '../dto/search.query';
import { SearchResponseDto, toSearchResponse } from '../dto/search-response.dto';
import { MessageSearchService } from './message-search.service';

@ApiTags('search')
@ApiBearerAuth()
@ApiSecurity('api_key')
@ApiBadRequestResponse({ type: ErrorResponseDto, description: 'Invalid input' })
@ApiUnauthorizedResponse({ type: ErrorResponseDto, description: 'Authentication is on and the credential is missing or invalid' })
@ApiTooManyRequestsResponse({ type: ErrorResponseDto, description: 'Per-user rate limit; see Retry-After' })
@Controller('api/v1/search')
export class SearchController {
  constructor(private readonly search: MessageSearchService) {}

  @Get()
  @ApiOperation({
    summary: 'Full-text search over the messages of your sessions, best first',
    description:
      'User and assistant messages of the caller’s sessions that contain every word (case and accents ignored) and every "quoted phrase". ' +
      'Ranked among the 1,000 newest matches. Input that holds no letter or digit answers an empty list.',
  })
  @ApiOkResponse({ type: SearchResponseDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: '`session_id` names no session of yours' })
  async find(@Query() query: SearchQueryDto, @CurrentPrincipal() who: Principal): Promise<SearchResponseDto> {
    const hits = await this.search.search({ q: query.q, limit: query.limit, offset: query.offset, sessionId: query.session_id }, scopeOf(who));
    return toSearchResponse(hits, query);
  }
}
