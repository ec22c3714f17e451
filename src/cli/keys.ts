import { parseArgs } from 'node:util';
import { SigningKeyEntity } from '../auth/entities/signing-key.entity';
import { SigningKeys } from '../auth/keys/signing-keys.service';
import { runCli, UsageError } from './cli-context';

const USAGE = `Signing keys of the built-in login, in the database of DATABASE_URL.

  npm run keys -- list     list keys (newest first; the newest unretired key signs)
  npm run keys -- rotate   add a new signing key and retire the others (they keep verifying)
  npm run keys -- prune    delete keys retired longer ago than the access-token lifetime plus a minute

In a production image: node dist/cli/keys.js <command>`;

void runCli(async (dataSource, config) => {
  const { positionals } = parseArgs({ allowPositionals: true });
  const keys = new SigningKeys(dataSource.getRepository(SigningKeyEntity), config);
  switch (positionals[0]) {
    case 'list':
      for (const key of await keys.list()) {
        process.stdout.write(`${key.kid}\t${key.createdAt.toISOString()}\t${key.retiredAt ? `retired ${key.retiredAt.toISOString()}` : 'signing'}\n`);
      }
      return;
    case 'rotate':
      process.stdout.write(`new signing key ${await keys.rotate()}; running instances use it within a minute\n`);
      return;
    case 'prune': {
      const ttlSeconds = config.auth.login?.accessTokenTtlSeconds ?? 900;
      const pruned = await keys.prune((ttlSeconds + 60) * 1000);
      process.stdout.write(pruned.length === 0 ? 'nothing to prune\n' : `pruned ${pruned.join(', ')}\n`);
      return;
    }
    default:
      throw new UsageError(USAGE);
  }
});
