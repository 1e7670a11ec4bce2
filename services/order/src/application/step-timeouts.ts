/** Injection token of the saga's StepTimeouts (from configuration). */
export const STEP_TIMEOUTS = Symbol('StepTimeouts');
