/**
 * Free text a person types into a command (approver `by`, `note`, `reason`) is stored in alerts, the
 * audit log and the workflow's state, and printed by `strategy status`: a 100 kB emergency-stop reason
 * was all of that (issue 17, defect 4). One limit, read by the CLI (cli/lib/free-text.ts) and by the
 * strategy workflow (a signal from the plain Temporal CLI skips the CLI's check).
 */
export const MAX_FREE_TEXT_CHARS = 500;

/** The fields of a command's input that are free text. */
export const FREE_TEXT_FIELDS = ['by', 'note', 'reason'] as const;

/** Why a command input's free text is refused (the first field over the limit), or null. */
export function freeTextProblem(input: unknown): string | null {
  if (!input || typeof input !== 'object') return null;
  for (const field of FREE_TEXT_FIELDS) {
    const v = (input as Record<string, unknown>)[field];
    if (typeof v === 'string' && v.length > MAX_FREE_TEXT_CHARS) return `${field} is ${v.length} characters long: at most ${MAX_FREE_TEXT_CHARS}`;
  }
  return null;
}
