/** Options of the demo page module. */
export interface DemoModuleOptions {
  /** Path of the signaling WebSocket endpoint the page connects to (same host as the page). */
  signalingPath: string;
}

/** Injection token of the DemoModuleOptions. */
export const DEMO_OPTIONS = Symbol('DEMO_OPTIONS');
