/**
 * Public API of `@hover-auth/emulator`: a local Hover OAuth server + API subset for tests and the
 * sample app. Everything else in this folder is internal.
 */
export { HoverEmulator } from './hover-emulator';
export type { HoverEmulatorOptions } from './hover-emulator-options.interface';
export type { HoverEmulatorFaults } from './hover-emulator-faults.interface';
export { DEFAULT_EMULATOR_CLIENT } from './hover-emulator.constants';
