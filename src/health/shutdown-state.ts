import { Injectable, OnModuleDestroy } from '@nestjs/common';

/**
 * Flips when the application starts closing (SIGTERM or `app.close()`): Nest runs `onModuleDestroy`
 * first, while HTTP is still served and running turns drain, so the readiness probe says 503 for the
 * whole shutdown and the load balancer stops sending new work.
 */
@Injectable()
export class ShutdownState implements OnModuleDestroy {
  private closing = false;

  get shuttingDown(): boolean {
    return this.closing;
  }

  onModuleDestroy(): void {
    this.closing = true;
  }
}
