// The workflow bundle's entry: every workflow the worker runs. Only deterministic code below this point.
export { wiringCheckWorkflow } from './wiring';
export { strategyWorkflow } from './strategy';
export { positionWorkflow } from './position';
export { dailyReportWorkflow } from './daily-report';
