import { InitialSchema1763700000000 } from './1763700000000-InitialSchema';

/** Every migration, oldest first. Add new ones here (they are listed, not globbed, so tests and dist agree). */
export const MIGRATIONS = [InitialSchema1763700000000];
