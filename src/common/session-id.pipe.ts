import { BadRequestException, Injectable, PipeTransform } from '@nestjs/common';
import { SESSION_ID_PATTERN } from '../protocol/session-id';

/** Validates a `{id}` path parameter against the session id pattern (400 otherwise). */
@Injectable()
export class SessionIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!SESSION_ID_PATTERN.test(value)) {
      throw new BadRequestException(`Invalid session id: must match ${SESSION_ID_PATTERN.source}`);
    }
    return value;
  }
}
