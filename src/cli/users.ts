import { parseArgs } from 'node:util';
import { RefreshTokenEntity } from '../auth/entities/refresh-token.entity';
import { UserEntity } from '../auth/entities/user.entity';
import { RefreshTokens } from '../auth/login/refresh-tokens.service';
import { UserAdminError, UsersService } from '../auth/login/users.service';
import { TransactionRunner } from '../database/transaction-runner';
import { Metrics } from '../metrics/metrics.service';
import { readPassword } from './read-password';
import { runCli, UsageError } from './cli-context';

const USAGE = `Users of the built-in login (AUTH_LOGIN_ENABLED=true), in the database of DATABASE_URL.

  npm run users -- add <name>       add a user (asks for the password twice on a terminal)
  npm run users -- passwd <name>    set a new password (revokes the user's refresh tokens)
  npm run users -- disable <name>   disable the user (revokes the user's refresh tokens)
  npm run users -- list             list users

The password is read from the terminal without echo, or from the first line of standard input.
In a production image: node dist/cli/users.js <command> …`;

async function newPassword(): Promise<string> {
  const password = await readPassword('Password: ');
  if (process.stdin.isTTY && (await readPassword('Repeat password: ')) !== password) {
    throw new UsageError('the passwords do not match');
  }
  return password;
}

void runCli(async (dataSource, config) => {
  const { positionals, values } = parseArgs({ allowPositionals: true, options: { help: { type: 'boolean', short: 'h' } } });
  const [command, name, ...extra] = positionals;
  if (values.help || command === undefined) {
    process.stdout.write(`${USAGE}\n`);
    if (command === undefined && !values.help) process.exitCode = 2;
    return;
  }
  if (extra.length > 0) throw new UsageError(`unexpected arguments (passwords are never taken from the command line)`);
  const users = new UsersService(dataSource.getRepository(UserEntity), new RefreshTokens(dataSource.getRepository(RefreshTokenEntity), config, new TransactionRunner(dataSource, new Metrics())));
  try {
    switch (command) {
      case 'add': {
        if (!name) throw new UsageError('usage: npm run users -- add <name>');
        const user = await users.add(name, await newPassword());
        process.stdout.write(`added ${user.username} (id ${user.id})\n`);
        return;
      }
      case 'passwd':
        if (!name) throw new UsageError('usage: npm run users -- passwd <name>');
        await users.setPassword(name, await newPassword());
        process.stdout.write(`password of ${name} changed; its refresh tokens are revoked\n`);
        return;
      case 'disable':
        if (!name) throw new UsageError('usage: npm run users -- disable <name>');
        await users.disable(name);
        process.stdout.write(`${name} disabled; its refresh tokens are revoked\n`);
        return;
      case 'list':
        for (const user of await users.list()) {
          process.stdout.write(`${user.username}\t${user.id}\t${user.disabled ? 'disabled' : 'active'}\t${user.createdAt.toISOString()}\n`);
        }
        return;
      default:
        throw new UsageError(`unknown command ${command}\n\n${USAGE}`);
    }
  } catch (error) {
    if (error instanceof UserAdminError) throw new UsageError(error.message);
    throw error;
  }
});
