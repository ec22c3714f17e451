import { INestApplication } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { SESSION_EVENT_LOG, SessionEventLog } from '../../src/agent-runtime/events/session-event-log';

/**
 * The number of rows in every table the service owns, to prove that a request stored nothing. The
 * event log is flushed first (it writes in batches), so earlier turns are fully counted.
 */
export async function tableCounts(app: INestApplication): Promise<Record<string, number>> {
  await app.get<symbol, SessionEventLog>(SESSION_EVENT_LOG, { strict: false }).flush();
  const dataSource = app.get(DataSource);
  const counts: Record<string, number> = {};
  for (const table of dataSource.entityMetadatas.map((m) => m.tableName).sort()) {
    const [row] = await dataSource.query<{ n: number | string }[]>(`SELECT COUNT(*) AS n FROM ${table}`);
    counts[table] = Number(row?.n ?? 0);
  }
  return counts;
}
