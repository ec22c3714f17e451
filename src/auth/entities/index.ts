import { RefreshTokenEntity } from './refresh-token.entity';
import { SigningKeyEntity } from './signing-key.entity';
import { UserEntity } from './user.entity';

/** The tables the auth module owns (also listed by `ormconfig.ts` for the migration CLI). */
export const AUTH_ENTITIES = [UserEntity, RefreshTokenEntity, SigningKeyEntity];
