import { type BenchSocket, frameDifference } from './client';

export interface Step {
  /** The exact frame expected next on this socket. */
  expect: Record<string, unknown>;
  /** Run once the frame matched. */
  then?: () => void;
}

/**
 * Holds a socket to an exact sequence of frames: every received frame must equal the next step's
 * (per-socket order is part of the contract), anything else is reported through `fail`.
 */
export function followScript(socket: BenchSocket, steps: Step[], fail: (message: string) => void): void {
  let index = 0;
  socket.onFrame = (raw) => {
    const step = steps[index];
    if (!step) return fail(`unexpected frame after the script: ${raw.slice(0, 120)}`);
    let frame: unknown;
    try {
      frame = JSON.parse(raw);
    } catch {
      return fail(`frame ${index} is not JSON: ${raw.slice(0, 120)}`);
    }
    const difference = frameDifference(frame, step.expect);
    if (difference) return fail(`frame ${index} (expected ${String(step.expect.command)}): ${difference}`);
    index++;
    step.then?.();
  };
}
