import type { Db } from '../db/client';

/** DB writes the workflows ask for. Every write is keyed by a workflow-derived id, so a retry is a no-op. */
export function createPersistenceActivities({ db }: { db: Db }) {
  return {
    async recordWiringProbe(input: { id: string; note: string }): Promise<{ id: string; rows: number }> {
      await db.wiringProbe.upsert({ where: { id: input.id }, create: input, update: {} });
      return { id: input.id, rows: await db.wiringProbe.count() };
    },
  };
}

export type PersistenceActivities = ReturnType<typeof createPersistenceActivities>;
