import { z } from 'zod';
import { CliError } from '../context';
import { FREE_TEXT_FIELDS, MAX_FREE_TEXT_CHARS } from '../../domain/free-text';

/** --by, --note, --reason: at most MAX_FREE_TEXT_CHARS (domain/free-text.ts, the workflow's limit too). */
const freeTextSchema = z.object(Object.fromEntries(FREE_TEXT_FIELDS.map((f) => [f, z.string().max(MAX_FREE_TEXT_CHARS, `at most ${MAX_FREE_TEXT_CHARS} characters`).optional()])));

/** Refuses, before anything connects, free-text options over the limit: one line naming the option. */
export function checkFreeText(options: Partial<Record<(typeof FREE_TEXT_FIELDS)[number], string | undefined>>): void {
  const r = freeTextSchema.safeParse(options);
  if (r.success) return;
  const issue = r.error.issues[0]!;
  const field = String(issue.path[0]);
  throw new CliError(`--${field}: ${issue.message}, got ${String(options[field as keyof typeof options]).length}`);
}
