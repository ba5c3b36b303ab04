/**
 * The job states Hover lists for `job-state-changed` webhook events (developers.hover.to, "Hover
 * Webhook Events"), in pipeline order. `HoverEmulator.setJobState` accepts exactly these, so a typo in
 * a test fails loudly instead of sending a state Hover never sends.
 */
export const HOVER_JOB_STATES = [
  'uploading',
  'processing_upload',
  'submitting',
  'working',
  'waitlisted',
  'waiting_approval',
  'retrieving',
  'processing',
  'paying',
  'complete',
  'failed',
  'cancelled',
  'requesting_corrections',
  'processing_upload_for_improvements',
] as const;

/** One of `HOVER_JOB_STATES`, e.g. `'complete'`. */
export type HoverEmulatorJobState = (typeof HOVER_JOB_STATES)[number];
