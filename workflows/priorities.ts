/**
 * Task priorities: the one owner of them. Temporal's priority key: 1 is served first, 3 is the
 * server's default, 5 last; a backlogged task queue (and the worker's sticky queue) hands out
 * lower keys first.
 *
 * Why: in a burst the worker's queues hold hundreds of position tasks (a new child's first task,
 * entry steps, exits), and every position waits on its strategy (the child start, the entry
 * decision, the emergency stop's batch). With one priority, the strategy's tasks queued behind the
 * very positions waiting for them (BENCHMARKS.md, issue 14). Children and activities inherit their
 * workflow's priority, so the strategy starts its positions at the default explicitly.
 */
import type { Priority } from '@temporalio/common';

/** strategyWorkflow, set by whoever starts it; its activities inherit it, and continue-as-new keeps it. */
export const STRATEGY_PRIORITY: Priority = { priorityKey: 1 };

/** positionWorkflow children and their activities: the default, below their strategy. */
export const POSITION_PRIORITY: Priority = { priorityKey: 3 };
