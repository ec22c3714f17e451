import { Injectable } from '@nestjs/common';

/** How many model answers each agent is producing right now, whatever started them (IDE, gRPC, MCP). */
@Injectable()
export class AgentActivityService {
  private readonly active = new Map<string, number>();

  /** Counts one running answer of `agent`; call the returned function exactly once when it ends. */
  begin(agent: string): () => void {
    this.active.set(agent, this.running(agent) + 1);
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      const left = this.running(agent) - 1;
      if (left > 0) this.active.set(agent, left);
      else this.active.delete(agent);
    };
  }

  running(agent: string): number {
    return this.active.get(agent) ?? 0;
  }
}
