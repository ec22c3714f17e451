import { InitialSchema1763700000000 } from './1763700000000-InitialSchema';
import { SessionEvents1763800000000 } from './1763800000000-SessionEvents';
import { SessionOwner1763900000000 } from './1763900000000-SessionOwner';
import { SessionStreams1764000000000 } from './1764000000000-SessionStreams';
import { RemoteAgents1764100000000 } from './1764100000000-RemoteAgents';
import { MessageSearch1764200000000 } from './1764200000000-MessageSearch';
import { BuiltInLogin1764300000000 } from './1764300000000-BuiltInLogin';
import { SessionServerMadeId1764300000001 } from './1764300000001-SessionServerMadeId';
import { SessionVersion1764400000000 } from './1764400000000-SessionVersion';

/** Every migration, oldest first. Add new ones here (they are listed, not globbed, so tests and dist agree). */
export const MIGRATIONS = [
  InitialSchema1763700000000,
  SessionEvents1763800000000,
  SessionOwner1763900000000,
  SessionStreams1764000000000,
  RemoteAgents1764100000000,
  MessageSearch1764200000000,
  BuiltInLogin1764300000000,
  SessionServerMadeId1764300000001,
  SessionVersion1764400000000,
];
