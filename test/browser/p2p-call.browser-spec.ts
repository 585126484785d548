import { TEST_API_KEY } from '../support/test-app';
import { appInChromium } from './support/browser-suite';
import { sdpDirections, SIGNAL_TIMEOUT_MS } from './support/demo-page';
import { scenario } from './support/scenario';

/*
 * The demo page with Ant Media's unmodified browser SDK against the app, in headless Chromium with
 * fake camera and microphone. Runs only inside a loopback-only network namespace (npm run test:browser).
 */
describe('demo page: one-to-one calls in Chromium', () => {
  const suite = appInChromium();
  const context = suite.context;

  scenario('the page loads idle with its controls', context, async (open) => {
    const a = await open('A');
    expect(await a.page.textContent('#status')).toBe('Not in a call.');
    expect(await a.page.isEnabled('#join')).toBe(true);
    expect(await a.page.isDisabled('#leave')).toBe(true);
    expect(await a.page.getAttribute('#api-docs-link', 'href')).toBe('/api/docs');
    expect(await a.page.getAttribute('#console-link', 'href')).toBe('/console');
    expect(await a.shownError()).toBeNull();
  });

  scenario('the watch-only and data-only boxes switch the mode by reloading, one at a time', context, async (open) => {
    const a = await open('A');
    await a.page.fill('#room', 'mode-1');
    await Promise.all([a.page.waitForURL(/[?&]watch=1/), a.page.check('#watch-only')]);
    await a.page.waitForSelector('#status[data-state="idle"]');
    expect(new URL(a.page.url()).searchParams.get('room')).toBe('mode-1');
    expect(await a.page.isChecked('#watch-only')).toBe(true);
    expect(await a.page.isVisible('#local-placeholder')).toBe(true);

    await Promise.all([a.page.waitForURL(/[?&]data=1/), a.page.check('#data-only')]);
    await a.page.waitForSelector('#status[data-state="idle"]');
    expect(new URL(a.page.url()).searchParams.get('watch')).toBeNull();
    expect(await a.page.isChecked('#data-only')).toBe(true);
    expect(await a.page.isChecked('#watch-only')).toBe(false);
    expect(await a.page.isHidden('#local-placeholder')).toBe(true);

    await Promise.all([a.page.waitForURL((url) => url.search === '?room=mode-1'), a.page.uncheck('#data-only')]);
    await a.page.waitForSelector('#status[data-state="idle"]');
    expect(await a.page.isChecked('#watch-only')).toBe(false);
    expect(await a.page.isVisible('#local-video')).toBe(true);
  });

  scenario('two pages in one room see each other', context, async (open) => {
    const a = await open('A');
    const b = await open('B');
    await a.join('call-1');
    await a.waitForState('waiting');
    await b.join('call-1');
    await Promise.all([a.waitForVideoCall(), b.waitForVideoCall()]);
    for (const page of [a, b]) {
      expect(await page.iceState()).toMatch(/^(connected|completed)$/);
      expect(await page.videoWidth('local-video')).toBeGreaterThan(0);
      expect(await page.videoWidth('remote-video')).toBeGreaterThan(0);
      expect(await page.shownError()).toBeNull();
    }
  });

  scenario('when one leaves, the other gets stop and can call someone new', context, async (open) => {
    const a = await open('A');
    const b = await open('B');
    await a.join('call-2');
    await a.waitForState('waiting');
    await b.join('call-2');
    await Promise.all([a.waitForVideoCall(), b.waitForVideoCall()]);

    await b.leave();
    await b.waitForState('idle');
    // The server sent `stop`: A's SDK closed its peer connection and the page says so.
    await a.waitForState('peer-left');
    expect(await a.sdkHasPeerConnection('call-2')).toBe(false);
    expect(await a.videoWidth('remote-video')).toBe(0);
    expect(await a.iceState()).toBe('closed');

    const c = await open('C');
    await c.join('call-2');
    await Promise.all([a.waitForVideoCall(), c.waitForVideoCall()]);
    expect(await a.iceState()).toMatch(/^(connected|completed)$/);
    expect(await a.shownError()).toBeNull();
    expect(await c.shownError()).toBeNull();
  });

  scenario('a third page is told the room is full', context, async (open) => {
    const a = await open('A');
    const b = await open('B');
    await a.join('call-3');
    await a.waitForState('waiting');
    await b.join('call-3');
    await Promise.all([a.waitForVideoCall(), b.waitForVideoCall()]);

    const c = await open('C');
    await c.join('call-3');
    await c.page.waitForSelector('#error[data-error="NoSpaceForNewPeer"]', { timeout: SIGNAL_TIMEOUT_MS });
    expect((await c.shownError())?.text).toMatch(/room is full/i);
    expect(await c.page.getAttribute('#status', 'data-state')).toBe('idle');
    expect(await c.page.isEnabled('#join')).toBe(true);
    // The call in the room goes on.
    for (const page of [a, b]) {
      expect(await page.page.getAttribute('#status', 'data-state')).toBe('in-call');
      expect(await page.sdkHasPeerConnection('call-3')).toBe(true);
      expect(await page.shownError()).toBeNull();
    }
  });

  scenario('a data-only call carries text both ways', context, async (open) => {
    const a = await open('A', { dataOnly: true });
    const b = await open('B', { dataOnly: true });
    expect(await a.page.isChecked('#data-only')).toBe(true);
    await a.join('chat-1');
    await a.waitForState('waiting');
    await b.join('chat-1');
    await Promise.all([a.waitForState('in-call'), b.waitForState('in-call')]);

    await a.sendMessage('hello from A');
    await b.waitForMessage('hello from A');
    await b.sendMessage('héllo back from B ✓');
    await a.waitForMessage('héllo back from B ✓');
    // No camera in this mode.
    expect(await a.videoWidth('local-video')).toBe(0);
    expect(await b.videoWidth('local-video')).toBe(0);
  });

  scenario('a play-only page waits, the camera page joins and offers, and its video plays', context, async (open) => {
    // A: watch only (`?watch=1`: the SDK in play mode, no camera). B: the fake camera.
    const a = await open('A', { watchOnly: true });
    const b = await open('B');
    expect(await a.page.isChecked('#watch-only')).toBe(true);
    expect(await a.page.isChecked('#data-only')).toBe(false);
    expect(await a.page.isHidden('#local-video')).toBe(true);
    expect(await a.page.isVisible('#local-placeholder')).toBe(true);
    expect(await a.page.textContent('#local-caption')).toBe('You (watching only, no camera)');
    expect(await b.page.isHidden('#local-placeholder')).toBe(true);

    await a.join('watch-1');
    await a.waitForState('waiting');
    await b.join('watch-1');
    await a.waitForVideoCall();
    await a.waitForRemoteVideoPlaying();
    await b.waitForState('in-call');
    for (const page of [a, b]) {
      expect(await page.iceState()).toMatch(/^(connected|completed)$/);
      expect(await page.shownError()).toBeNull();
    }

    // A never asked for the camera; B did, and it is B's video that A plays. A sends none back.
    expect(await a.getUserMediaCalls()).toBe(0);
    expect(await a.sdkHasLocalStream()).toBe(false);
    expect(await a.videoWidth('local-video')).toBe(0);
    expect(await b.getUserMediaCalls()).toBeGreaterThan(0);
    expect(await b.videoWidth('local-video')).toBeGreaterThan(0);
    expect(await b.videoWidth('remote-video')).toBe(0);

    // Signaling as the two pages' WebSockets carried it: the server had the joiner (B) make the offer.
    expect(a.signalingMessages('join', 'sent')).toEqual([expect.objectContaining({ streamId: 'watch-1', mode: 'play' })]);
    expect(b.signalingMessages('join', 'sent')).toEqual([expect.objectContaining({ streamId: 'watch-1', mode: 'both' })]);
    const bReceived = b.signaling.filter((f) => f.direction === 'received').map((f) => f.message);
    const joinedAt = bReceived.findIndex((m) => m.command === 'notification' && m.definition === 'joined');
    const startAt = bReceived.findIndex((m) => m.command === 'start');
    expect(joinedAt).toBeGreaterThanOrEqual(0);
    expect(startAt).toBeGreaterThan(joinedAt);
    expect(bReceived[startAt]).toMatchObject({ command: 'start', streamId: 'watch-1' });
    expect(a.signalingMessages('start')).toEqual([]);

    const offersSentByB = b.signalingMessages('takeConfiguration', 'sent');
    const answersSentByA = a.signalingMessages('takeConfiguration', 'sent');
    expect(offersSentByB.map((m) => m.type)).toEqual(['offer']);
    expect(answersSentByA.map((m) => m.type)).toEqual(['answer']);
    expect(a.signalingMessages('takeConfiguration', 'received').map((m) => m.type)).toEqual(['offer']);
    expect(b.signalingMessages('takeConfiguration', 'received').map((m) => m.type)).toEqual(['answer']);
    // B offers to send and receive; A, with nothing to send, answers receive-only.
    expect(sdpDirections(String(offersSentByB[0].sdp))).toEqual(['audio sendrecv', 'video sendrecv', 'application']);
    expect(sdpDirections(String(answersSentByA[0].sdp))).toEqual(['audio recvonly', 'video recvonly', 'application']);

    // The data channel (opened by B, the offerer) carries text both ways.
    await b.sendMessage('hello from the camera');
    await a.waitForMessage('hello from the camera');
    await a.sendMessage('hello from the watcher');
    await b.waitForMessage('hello from the watcher');
  });

  scenario('an operator removing a peer through the admin API ends the call in both pages', context, async (open) => {
    const a = await open('A');
    const b = await open('B');
    await a.join('call-kick');
    await a.waitForState('waiting');
    await b.join('call-kick');
    await Promise.all([a.waitForVideoCall(), b.waitForVideoCall()]);

    const headers = { Authorization: `Bearer ${TEST_API_KEY}` };
    const room = await (await fetch(`${suite.app.httpUrl}/api/v1/rooms/call-kick`, { headers })).json();
    expect(room.peers).toHaveLength(2);
    const kicked = room.peers[1].sessionId;
    const res = await fetch(`${suite.app.httpUrl}/api/v1/sessions/${kicked}`, { method: 'DELETE', headers });
    expect(res.status).toBe(200);

    // B got `stop` then `leaved` (kicked): its call is over and the page says why.
    await b.waitForState('kicked');
    expect(await b.sdkHasPeerConnection('call-kick')).toBe(false);
    expect(await b.page.isEnabled('#join')).toBe(true);
    // A got `stop`: its SDK closed the peer connection.
    await a.waitForState('peer-left');
    expect(await a.sdkHasPeerConnection('call-kick')).toBe(false);
    expect(await a.videoWidth('remote-video')).toBe(0);

    const session = await (await fetch(`${suite.app.httpUrl}/api/v1/sessions/${kicked}`, { headers })).json();
    expect(session).toMatchObject({ active: false, leaveReason: 'kicked' });
    expect(await a.shownError()).toBeNull();
    expect(await b.shownError()).toBeNull();
  });
});
