// Functions passed to page.evaluate/waitForFunction run in the page, with the DOM's types.
/// <reference lib="dom" />
import type { Browser, BrowserContext, Page } from 'playwright-core';

/** How long a call may take to connect (ICE over loopback, first video frame). */
export const CALL_TIMEOUT_MS = 20_000;
/** How long a page may take to react to a signaling message. */
export const SIGNAL_TIMEOUT_MS = 10_000;

/** What demo.js exposes on `window` for debugging. */
interface DemoWindow {
  demo: {
    adaptor: { iceConnectionState(streamId: string): string | null; mediaManager: { localStream: MediaStream | null } };
    room: string | null;
  };
  /** Counted by the init script DemoPage.open adds. */
  getUserMediaCalls: number;
}

export interface OpenOptions {
  /** Open `/?data=1`: a data-only call (no camera). */
  dataOnly?: boolean;
  /** Open `/?watch=1`: watch only (the SDK in play mode, no camera). */
  watchOnly?: boolean;
}

/** One signaling message on the page's WebSocket (JSON), in the order the page sent or received it. */
export interface SignalingFrame {
  direction: 'sent' | 'received';
  message: { command?: string; [field: string]: unknown };
}

/** The media sections of an SDP: `"<kind> <direction>"`, e.g. `audio sendrecv`, or just the kind when it has none. */
export function sdpDirections(sdp: string): string[] {
  return sdp
    .split(/\r?\n(?=m=)/)
    .slice(1)
    .map((section) => {
      const kind = /^m=(\w+)/.exec(section)![1];
      const direction = /^a=(sendrecv|sendonly|recvonly|inactive)\s*$/m.exec(section)?.[1];
      return direction ? `${kind} ${direction}` : kind;
    });
}

/**
 * One person with the demo page open, in a browser context of its own (like a separate browser
 * profile). Records the page's console errors, uncaught exceptions and failed requests.
 */
export class DemoPage {
  readonly problems: string[] = [];
  /** Every JSON message on the page's signaling WebSocket (the SDK's), both ways. */
  readonly signaling: SignalingFrame[] = [];

  private constructor(
    readonly label: string,
    readonly context: BrowserContext,
    readonly page: Page,
  ) {
    page.on('console', (message) => {
      if (message.type() === 'error') this.problems.push(`console error: ${message.text()}`);
    });
    page.on('pageerror', (error) => this.problems.push(`page error: ${error.message}`));
    page.on('requestfailed', (request) => {
      // Requests the page itself cancels (e.g. on close) are not failures of the page.
      if (request.failure()?.errorText !== 'net::ERR_ABORTED') {
        this.problems.push(`request failed: ${request.url()} ${request.failure()?.errorText}`);
      }
    });
    page.on('response', (response) => {
      if (response.status() >= 400) this.problems.push(`HTTP ${response.status()}: ${response.url()}`);
    });
    page.on('websocket', (socket) => {
      const record = (direction: SignalingFrame['direction']) => ({ payload }: { payload: string | Buffer }) => {
        try {
          this.signaling.push({ direction, message: JSON.parse(payload.toString()) });
        } catch {
          this.problems.push(`signaling frame ${direction} is not JSON: ${payload.toString().slice(0, 100)}`);
        }
      };
      socket.on('framesent', record('sent'));
      socket.on('framereceived', record('received'));
    });
  }

  static async open(browser: Browser, baseUrl: string, label: string, options: OpenOptions = {}): Promise<DemoPage> {
    const context = await browser.newContext({ viewport: { width: 1000, height: 820 } });
    const demo = new DemoPage(label, context, await context.newPage());
    // Counts the page's camera/microphone requests (a watch-only page must make none).
    await demo.page.addInitScript(() => {
      const w = window as unknown as DemoWindow;
      w.getUserMediaCalls = 0;
      const devices = navigator.mediaDevices;
      const getUserMedia = devices.getUserMedia.bind(devices);
      devices.getUserMedia = (constraints) => {
        w.getUserMediaCalls++;
        return getUserMedia(constraints);
      };
    });
    const query = options.dataOnly ? '?data=1' : options.watchOnly ? '?watch=1' : '';
    await demo.page.goto(`${baseUrl}/${query}`);
    await demo.page.waitForSelector('#status[data-state="idle"]');
    await demo.page.waitForFunction(() => 'demo' in window && 'webrtc_adaptor' in window);
    return demo;
  }

  async join(room: string): Promise<void> {
    await this.page.fill('#room', room);
    await this.page.click('#join');
  }

  async leave(): Promise<void> {
    await this.page.click('#leave');
  }

  /** Waits for the page's call state (`#status[data-state]`). */
  async waitForState(state: string, timeout = SIGNAL_TIMEOUT_MS): Promise<void> {
    await this.until(`call state "${state}"`, () => this.page.waitForSelector(`#status[data-state="${state}"]`, { timeout }));
  }

  /** Waits for ICE connected and the other person's video showing frames. */
  async waitForVideoCall(timeout = CALL_TIMEOUT_MS): Promise<void> {
    await this.waitForState('in-call', timeout);
    await this.until('remote video frames', () =>
      this.page.waitForFunction(() => document.querySelector<HTMLVideoElement>('#remote-video')!.videoWidth > 0, undefined, {
        timeout,
        polling: 100,
      }),
    );
  }

  /** Waits until the other person's video is playing: not paused, and its currentTime advancing. */
  async waitForRemoteVideoPlaying(timeout = CALL_TIMEOUT_MS): Promise<void> {
    const start = await this.page.$eval('#remote-video', (video: HTMLVideoElement) => video.currentTime);
    await this.until('remote video playing', () =>
      this.page.waitForFunction(
        (from) => {
          const video = document.querySelector<HTMLVideoElement>('#remote-video')!;
          return !video.paused && video.videoWidth > 0 && video.currentTime > from + 0.5;
        },
        start,
        { timeout, polling: 100 },
      ),
    );
  }

  /** How many times the page called navigator.mediaDevices.getUserMedia (camera/microphone). */
  getUserMediaCalls(): Promise<number> {
    return this.page.evaluate(() => (window as unknown as DemoWindow).getUserMediaCalls);
  }

  /** Whether the SDK holds a local (camera) stream. */
  sdkHasLocalStream(): Promise<boolean> {
    return this.page.evaluate(() => (window as unknown as DemoWindow).demo.adaptor.mediaManager.localStream != null);
  }

  /** The signaling messages with this command, optionally only those sent or received. */
  signalingMessages(command: string, direction?: SignalingFrame['direction']): SignalingFrame['message'][] {
    return this.signaling
      .filter((frame) => frame.message.command === command && (!direction || frame.direction === direction))
      .map((frame) => frame.message);
  }

  async sendMessage(text: string): Promise<void> {
    await this.page.waitForSelector('#send:not([disabled])', { timeout: CALL_TIMEOUT_MS });
    await this.page.fill('#message', text);
    await this.page.click('#send');
  }

  async waitForMessage(text: string, timeout = SIGNAL_TIMEOUT_MS): Promise<void> {
    await this.until(`message "${text}"`, () =>
      this.page.waitForFunction(
        (expected) => Array.from(document.querySelectorAll('#messages li.them')).some((li) => li.textContent === expected),
        `Them: ${text}`,
        { timeout, polling: 100 },
      ),
    );
  }

  iceState(): Promise<string | null> {
    return this.page.textContent('#ice-state');
  }

  /** The error definition the page shows (`#error[data-error]`) and its text, or null. */
  async shownError(): Promise<{ definition: string | null; text: string | null } | null> {
    if (await this.page.isHidden('#error')) return null;
    return { definition: await this.page.getAttribute('#error', 'data-error'), text: await this.page.textContent('#error') };
  }

  /** The width of a video element's current frame (0 when it shows nothing). */
  videoWidth(id: 'local-video' | 'remote-video'): Promise<number> {
    return this.page.$eval(`#${id}`, (video: HTMLVideoElement) => video.videoWidth);
  }

  /** Whether the SDK still holds a peer connection for the room (it closes it on `stop`). */
  async sdkHasPeerConnection(room: string): Promise<boolean> {
    return this.page.evaluate(
      (name) => (window as unknown as DemoWindow).demo.adaptor.iceConnectionState(name) !== null,
      room,
    );
  }

  async screenshot(path: string): Promise<void> {
    await this.page.screenshot({ path, fullPage: true });
  }

  close(): Promise<void> {
    return this.context.close();
  }

  /** Runs a bounded wait; on timeout, says what the page showed. */
  private async until(what: string, wait: () => Promise<unknown>): Promise<void> {
    try {
      await wait();
    } catch (error) {
      const status = await this.page.textContent('#status').catch(() => '?');
      const ice = await this.iceState().catch(() => '?');
      const shown = await this.shownError().catch(() => null);
      throw new Error(
        `page ${this.label}: ${what} not reached (status "${status}", ICE "${ice}", error ${JSON.stringify(shown)}): ` +
          (error as Error).message.split('\n')[0],
      );
    }
  }
}
