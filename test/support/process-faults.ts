import v8 from 'node:v8';
import vm from 'node:vm';

/**
 * The worker's own `process`. Jest hands each test file a copy of it: listeners added to the copy
 * never hear of unhandled rejections or uncaught exceptions, which Node reports on the original.
 */
export function realProcess(): NodeJS.Process {
  return vm.runInThisContext('process') as NodeJS.Process;
}

/**
 * Records every unhandled promise rejection and uncaught exception of the process while installed
 * (jest's own handlers still see them too). A suite asserts `faults` is empty and prints its length.
 */
export class ProcessFaultRecorder {
  readonly faults: string[] = [];
  private readonly process = realProcess();
  private readonly onRejection = (reason: unknown): void => {
    this.faults.push(`unhandledRejection: ${describeFault(reason)}`);
  };
  private readonly onException = (error: unknown): void => {
    this.faults.push(`uncaughtException: ${describeFault(error)}`);
  };

  static install(): ProcessFaultRecorder {
    const recorder = new ProcessFaultRecorder();
    recorder.process.on('unhandledRejection', recorder.onRejection);
    recorder.process.on('uncaughtException', recorder.onException);
    return recorder;
  }

  uninstall(): void {
    this.process.off('unhandledRejection', this.onRejection);
    this.process.off('uncaughtException', this.onException);
  }
}

function describeFault(value: unknown): string {
  return value instanceof Error ? `${value.name}: ${value.message}\n${value.stack ?? ''}` : String(value);
}

let collectGarbage: (() => void) | undefined;

/**
 * `process.memoryUsage().heapUsed` after full garbage collections. Uses `global.gc` when node runs
 * with --expose-gc, otherwise turns the flag on at run time and takes `gc` from a fresh context.
 */
export function heapUsedAfterGc(): number {
  collectGarbage ??= exposeGc();
  for (let i = 0; i < 3; i++) collectGarbage();
  return process.memoryUsage().heapUsed;
}

function exposeGc(): () => void {
  const existing = (globalThis as { gc?: () => void }).gc;
  if (typeof existing === 'function') return existing;
  v8.setFlagsFromString('--expose-gc');
  return vm.runInNewContext('gc') as () => void;
}

export const megabytes = (bytes: number): string => (bytes / 1024 / 1024).toFixed(1);
