/**
 * The running activity's context, for code that also runs outside one (a unit test calling a factory's
 * function directly, a bench script): then there is nothing to heartbeat to and nothing to cancel.
 */
import { Context } from '@temporalio/activity';

/** The activity context when running inside one (worker or MockActivityEnvironment), else undefined. */
export function activityContext(): Context | undefined {
  try {
    return Context.current();
  } catch {
    return undefined;
  }
}

export function heartbeat(details?: unknown): void {
  activityContext()?.heartbeat(details);
}
