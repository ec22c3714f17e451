import { InitialSchema1763700000000 } from './1763700000000-InitialSchema';
import { SessionEvents1763800000000 } from './1763800000000-SessionEvents';
import { SessionOwner1763900000000 } from './1763900000000-SessionOwner';
import { RemoteAgents1764100000000 } from './1764100000000-RemoteAgents';
import { MessageSearch1764200000000 } from './1764200000000-MessageSearch';

/** Every migration, oldest first. Add new ones here (they are listed, not globbed, so tests and dist agree). */
export const MIGRATIONS = [
  InitialSchema1763700000000,
  SessionEvents1763800000000,
  SessionOwner1763900000000,
  RemoteAgents1764100000000,
  MessageSearch1764200000000,
];
