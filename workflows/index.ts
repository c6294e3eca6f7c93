// The workflow bundle's entry: every workflow the worker runs. Only deterministic code below this point.
// Rooms: strategy/ (strategyWorkflow, its messages in api.ts and the rules it applies), position/
// (positionWorkflow, one per trade, and its messages), plus the daily report, the notifier (one per
// notification channel), the wiring probe and the
// search attribute keys.
export { wiringCheckWorkflow } from './wiring';
export { strategyWorkflow } from './strategy/workflow';
export { positionWorkflow } from './position/workflow';
export { dailyReportWorkflow } from './daily-report';
export { notifierWorkflow } from './notifier';
