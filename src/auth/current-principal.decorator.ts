import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { ANONYMOUS, Principal } from './principal';

export type AuthenticatedRequest = Request & { principal?: Principal };

/** The principal the AuthGuard attached to the request. */
export const CurrentPrincipal = createParamDecorator(
  (_data: unknown, ctx: ExecutionContext): Principal =>
    ctx.switchToHttp().getRequest<AuthenticatedRequest>().principal ?? ANONYMOUS,
);
