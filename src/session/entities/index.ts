import { AgentContextEntity } from './agent-context.entity';
import { MessageEntity } from './message.entity';
import { PendingApprovalEntity } from './pending-approval.entity';
import { SessionEventEntity } from './session-event.entity';
import { SessionStreamEntity } from './session-stream.entity';
import { SessionEntity } from './session.entity';

/** The tables SessionModule owns (also listed by `ormconfig.ts` for the migration CLI). */
export const SESSION_ENTITIES = [SessionEntity, MessageEntity, AgentContextEntity, PendingApprovalEntity, SessionStreamEntity, SessionEventEntity];
