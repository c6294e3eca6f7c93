// The workflow bundle's entry: every workflow the worker runs. Only deterministic code below this point.
export { wiringCheckWorkflow } from './wiring';
