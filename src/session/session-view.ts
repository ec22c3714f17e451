import type { AgentType } from '../protocol/agent-type';

/** A session as services hand it out (never the entity). */
export interface SessionView {
  readonly id: string;
  readonly title: string | null;
  readonly messageCount: number;
  readonly createdAt: Date;
  readonly lastActivity: Date;
  readonly currentAgent: AgentType;
}

export const TITLE_MAX_LENGTH = 100;

/** The automatic title: the first user message on one line, cut to 100 characters. */
export function titleFromMessage(content: string): string | null {
  const oneLine = content.replace(/\s+/g, ' ').trim();
  return oneLine.length === 0 ? null : [...oneLine].slice(0, TITLE_MAX_LENGTH).join('');
}
