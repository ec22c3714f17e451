import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { isUniqueViolation } from '../../database/unique-violation';
import { UserEntity } from '../entities/user.entity';
import { hashPassword, PASSWORD_RULES, UNKNOWN_USER_HASH, USERNAME_PATTERN, verifyPassword } from './password-hasher';
import { RefreshTokens } from './refresh-tokens.service';

/** What `npm run users -- list` shows: never the hash. */
export interface UserSummary {
  readonly id: string;
  readonly username: string;
  readonly disabled: boolean;
  readonly createdAt: Date;
}

/** A user-management request that cannot be done (bad name, weak password, unknown or duplicate user). */
export class UserAdminError extends Error {}

/**
 * Users of the built-in login: add, change password, disable, list, and check a password. Changing the
 * password or disabling a user revokes every refresh token the user holds.
 */
@Injectable()
export class UsersService {
  private readonly logger = new Logger(UsersService.name);

  constructor(
    @InjectRepository(UserEntity) private readonly users: Repository<UserEntity>,
    private readonly refreshTokens: RefreshTokens,
  ) {}

  async add(username: string, password: string): Promise<UserSummary> {
    checkUsername(username);
    checkPassword(password);
    const now = new Date();
    const user = { id: randomUUID(), username, passwordHash: await hashPassword(password), disabled: false, createdAt: now, updatedAt: now };
    try {
      await this.users.insert(user);
    } catch (error) {
      if (isUniqueViolation(error)) throw new UserAdminError(`user ${username} already exists`);
      throw error;
    }
    this.logger.log(`user=${user.id} added`);
    return summary(user);
  }

  async setPassword(username: string, password: string): Promise<void> {
    checkPassword(password);
    const user = await this.require(username);
    await this.users.update({ id: user.id }, { passwordHash: await hashPassword(password), updatedAt: new Date() });
    await this.refreshTokens.revokeAllOf(user.id);
    this.logger.log(`user=${user.id} password changed; refresh tokens revoked`);
  }

  async disable(username: string): Promise<void> {
    const user = await this.require(username);
    await this.users.update({ id: user.id }, { disabled: true, updatedAt: new Date() });
    await this.refreshTokens.revokeAllOf(user.id);
    this.logger.log(`user=${user.id} disabled; refresh tokens revoked`);
  }

  async list(): Promise<UserSummary[]> {
    return (await this.users.find({ order: { username: 'ASC' } })).map(summary);
  }

  /** The enabled user with this name and password, or null. Takes as long for an unknown name. */
  async authenticate(username: string, password: string): Promise<UserSummary | null> {
    const user = USERNAME_PATTERN.test(username) ? await this.users.findOneBy({ username }) : null;
    const matches = await verifyPassword(password, user?.passwordHash ?? UNKNOWN_USER_HASH);
    return user && matches && !user.disabled ? summary(user) : null;
  }

  /** An enabled user by id (a refresh grant checks the user still may log in). */
  async activeById(id: string): Promise<UserSummary | null> {
    const user = await this.users.findOneBy({ id });
    return user && !user.disabled ? summary(user) : null;
  }

  private async require(username: string): Promise<UserEntity> {
    const user = await this.users.findOneBy({ username });
    if (!user) throw new UserAdminError(`no user named ${username}`);
    return user;
  }
}

function checkUsername(username: string): void {
  if (!USERNAME_PATTERN.test(username)) {
    throw new UserAdminError(`user names must match ${USERNAME_PATTERN.source}`);
  }
}

function checkPassword(password: string): void {
  if (password.length < PASSWORD_RULES.minLength || password.length > PASSWORD_RULES.maxLength) {
    throw new UserAdminError(`passwords must have ${PASSWORD_RULES.minLength} to ${PASSWORD_RULES.maxLength} characters`);
  }
}

function summary(user: UserEntity): UserSummary {
  return { id: user.id, username: user.username, disabled: user.disabled, createdAt: user.createdAt };
}
