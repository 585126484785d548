/*
 * Demo page: a one-to-one call between two browsers with Ant Media's unmodified browser SDK
 * (WebRTCAdaptor in peer-to-peer mode: join(room) / leave(room)). No framework, no build step.
 * `?data=1` makes a data-only call (no camera): text messages over the WebRTC data channel.
 * `?watch=1` watches only (no camera): the SDK in play mode (`isPlayMode`, join with mode "play")
 * never opens the camera; this page receives the other person's video and sends none.
 */
(function () {
  'use strict';

  const ROOM_NAME = /^[A-Za-z0-9_.-]+$/;

  /** What the person reads for each error definition the SDK reports (server errors and its own). */
  const ERROR_TEXT = {
    NoSpaceForNewPeer: 'Room is full: two people are already in this call. Try another room name.',
    invalidStreamName: 'That room name is not allowed. Use letters, digits, ".", "_" or "-".',
    noStreamNameSpecified: 'Type a room name first.',
    unauthorized_access: 'The server did not let you join this room.',
    no_peer_associated_before: 'The other person is not in the room.',
    invalidMessage: 'The server could not understand a message from this page.',
    WebSocketNotConnected: 'Cannot reach the signaling server. Is it running?',
    WebSocketNotSupported: 'This browser does not support WebSockets.',
    NotAllowedError: 'Camera and microphone access was denied. Allow it, or tick "Watch only" or "Data only".',
    getUserMediaIsNotAllowed: 'This browser does not allow camera access here. Tick "Watch only" or "Data only" to call without it.',
    UnsecureContext: 'The camera only works on a secure page (https or localhost). Tick "Watch only" or "Data only" to call without it.',
    NotFoundError: 'No camera or microphone was found. Tick "Watch only" or "Data only" to call without one.',
    NotReadableError: 'The camera or microphone is in use by another program.',
    OverconstrainedError: 'The camera cannot provide the requested video.',
    notSetRemoteDescription: 'The two browsers could not agree on media formats.',
    data_channel_error: 'The data channel reported an error.',
    protocol_not_supported: 'A network path of an unsupported kind was skipped.',
  };
  /** Errors in answer to a join: the page is not in the room. */
  const JOIN_REFUSED = ['NoSpaceForNewPeer', 'invalidStreamName', 'noStreamNameSpecified', 'unauthorized_access'];

  const $ = (id) => document.getElementById(id);
  const el = {
    joinForm: $('join-form'),
    room: $('room'),
    join: $('join'),
    leave: $('leave'),
    dataOnly: $('data-only'),
    watchOnly: $('watch-only'),
    localCaption: $('local-caption'),
    status: $('status'),
    ice: $('ice-state'),
    error: $('error'),
    remoteVideo: $('remote-video'),
    messages: $('messages'),
    sendForm: $('send-form'),
    message: $('message'),
    send: $('send'),
  };

  const params = new URLSearchParams(location.search);
  const dataOnly = params.get('data') === '1';
  /** Watch only: the SDK in play mode, no camera; `?data=1` wins when both are given. */
  const watchOnly = !dataOnly && params.get('watch') === '1';
  const signalingPath = document.querySelector('meta[name="signaling-path"]').content;
  const websocketUrl = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + signalingPath;

  /** The SDK instance, created on the first Join (that is when the camera opens). */
  let adaptor = null;
  /** Settles when the SDK's socket is open ('initialized') or failed to open. */
  let pendingInit = null;
  /** The room this page is in or joining, or null. */
  let room = null;
  /** True while the SDK has a peer connection for the room (set by its ICE state events). */
  let inCall = false;

  document.body.classList.toggle('data-only', dataOnly);
  document.body.classList.toggle('watch-only', watchOnly);
  el.dataOnly.checked = dataOnly;
  el.watchOnly.checked = watchOnly;
  if (watchOnly) el.localCaption.textContent = 'You (watching only, no camera)';
  el.room.value = params.get('room') || '';

  el.joinForm.addEventListener('submit', (event) => {
    event.preventDefault();
    void join();
  });
  el.leave.addEventListener('click', leave);
  el.sendForm.addEventListener('submit', (event) => {
    event.preventDefault();
    sendMessage();
  });
  el.dataOnly.addEventListener('change', () => switchMode('data', el.dataOnly.checked));
  el.watchOnly.addEventListener('change', () => switchMode('watch', el.watchOnly.checked));
  // The SDK closes its peer connection by itself when the server says `stop` (the other person
  // left or was disconnected) but tells the page nothing: notice it here.
  setInterval(checkPeerStillThere, 500);

  async function join() {
    const name = el.room.value.trim();
    if (!name) return showError('noStreamNameSpecified');
    if (!ROOM_NAME.test(name)) return showError('invalidStreamName');
    // Browsers hide the camera from pages that are not https or localhost.
    if (!dataOnly && !watchOnly && !window.isSecureContext) return showError('UnsecureContext');
    clearError();
    room = name;
    setControls('joining');
    setStatus('connecting', 'Connecting to the server…');
    try {
      if (!adaptor) await createAdaptor();
      adaptor.join(room);
    } catch (error) {
      if (error && error.name) adaptor = null; // the camera could not be opened: start over next time
      resetRoom();
      showError(error && error.name ? error.name : String(error));
    }
  }

  /**
   * The mode is fixed when the SDK is created: switch by reloading with `?data=1`, `?watch=1` or
   * neither (the two are exclusive).
   */
  function switchMode(param, on) {
    const next = new URLSearchParams(location.search);
    next.delete('data');
    next.delete('watch');
    if (on) next.set(param, '1');
    if (el.room.value.trim()) next.set('room', el.room.value.trim());
    location.search = next.toString();
  }

  function leave() {
    if (!room) return;
    adaptor.leave(room); // tells the server, then closes the peer connection
    resetRoom();
    setStatus('idle', 'You left the room.');
  }

  function createAdaptor() {
    return new Promise((resolve, reject) => {
      pendingInit = { resolve, reject };
      adaptor = new window.webrtc_adaptor.WebRTCAdaptor({
        websocket_url: websocketUrl,
        mediaConstraints: { video: !dataOnly && !watchOnly, audio: !dataOnly && !watchOnly },
        // No iceServers here, so the SDK asks the server for them (getIceServerConfig) and uses the
        // STUN/TURN server the server is configured with; with none, direct paths only (same machine or LAN).
        peerconnection_config: { sdpSemantics: 'unified-plan' },
        localVideoId: 'local-video',
        remoteVideoId: 'remote-video',
        // Play mode: the SDK does not open the camera and joins with mode "play"; the server then
        // has the other person make the offer, and this page answers it (receiving only).
        isPlayMode: watchOnly,
        onlyDataChannel: dataOnly,
        initializeComponents: false, // initialize() below, so that a camera failure can be caught
        callback: onSdkEvent,
        callbackError: onSdkError,
      });
      adaptor.initialize().catch((error) => settleInit(error));
    });
  }

  function settleInit(error) {
    if (!pendingInit) return;
    const { resolve, reject } = pendingInit;
    pendingInit = null;
    if (error) reject(error);
    else resolve();
  }

  function onSdkEvent(info, obj) {
    switch (info) {
      case 'initialized':
        settleInit();
        break;
      case 'joined':
        if (!room || obj.streamId !== room) break;
        setControls('joined');
        setStatus('waiting', `In room “${room}”. Waiting for the other person…`);
        rememberRoomInAddress(room);
        break;
      case 'ice_connection_state_changed':
        if (obj.streamId === room) onIceState(obj.state);
        break;
      case 'data_channel_opened':
        if (obj === room) setChatEnabled(true);
        break;
      case 'data_channel_closed':
        setChatEnabled(false);
        checkPeerStillThere();
        break;
      case 'data_received':
        if (obj.streamId === room) {
          addMessage('them', typeof obj.data === 'string' ? obj.data : `[${obj.data.byteLength} bytes of binary data]`);
        }
        break;
      case 'closed':
        onSocketClosed();
        break;
      case 'leaved':
        // Sent with reason "kicked" when an operator removed us (admin API); after `stop`.
        if (room && obj.streamId === room && obj.reason === 'kicked') {
          adaptor.closePeerConnection(room);
          resetRoom();
          setStatus('kicked', 'An operator removed you from the call.');
        }
        break;
      default:
        break; // pong, …
    }
  }

  function onSdkError(error, message) {
    const definition = typeof error === 'string' ? error : String((error && error.name) || error);
    if (pendingInit && definition === 'WebSocketNotConnected') {
      settleInit(definition);
      return; // join() reports it
    }
    if (JOIN_REFUSED.includes(definition) && message && message.streamId === room) {
      resetRoom();
      setStatus('idle', 'Not in a call.');
    }
    showError(definition);
  }

  function onIceState(state) {
    inCall = true;
    el.ice.textContent = state;
    if (state === 'connected' || state === 'completed') setStatus('in-call', `In a call in room “${room}”.`);
    else if (state === 'checking' || state === 'new') setStatus('connecting-peer', 'Connecting to the other person…');
    else if (state === 'disconnected') setStatus('interrupted', 'Connection interrupted, trying to recover…');
    else if (state === 'failed') setStatus('failed', 'Could not connect to the other person. Leave and join again.');
    checkPeerStillThere();
  }

  /** After `stop` the SDK has no peer connection for the room any more: the other person left. */
  function checkPeerStillThere() {
    if (!room || !inCall || adaptor.iceConnectionState(room) !== null) return;
    inCall = false;
    el.remoteVideo.srcObject = null;
    el.ice.textContent = 'closed';
    setChatEnabled(false);
    setStatus('peer-left', `The other person left. Waiting for someone to join room “${room}”…`);
  }

  function onSocketClosed() {
    settleInit('WebSocketNotConnected');
    if (!room) return;
    // The server ends our memberships when the socket closes; end the call here too.
    adaptor.closePeerConnection(room);
    resetRoom();
    setStatus('idle', 'Disconnected from the server.');
    showError('WebSocketNotConnected');
  }

  function sendMessage() {
    const text = el.message.value;
    if (!text || !room) return;
    adaptor.sendData(room, text);
    addMessage('me', text);
    el.message.value = '';
    el.message.focus();
  }

  function resetRoom() {
    room = null;
    inCall = false;
    el.remoteVideo.srcObject = null;
    el.ice.textContent = 'none';
    setChatEnabled(false);
    setControls('idle');
  }

  function setControls(mode) {
    el.join.disabled = mode !== 'idle';
    el.room.disabled = mode !== 'idle';
    el.dataOnly.disabled = mode !== 'idle';
    el.watchOnly.disabled = mode !== 'idle';
    el.leave.disabled = mode !== 'joined';
  }

  function setChatEnabled(enabled) {
    el.message.disabled = !enabled;
    el.send.disabled = !enabled;
  }

  function setStatus(state, text) {
    el.status.dataset.state = state;
    el.status.textContent = text;
  }

  function showError(definition) {
    el.error.dataset.error = definition;
    el.error.textContent = ERROR_TEXT[definition] || `Error: ${definition}`;
    el.error.hidden = false;
  }

  function clearError() {
    delete el.error.dataset.error;
    el.error.textContent = '';
    el.error.hidden = true;
  }

  function addMessage(from, text) {
    const item = document.createElement('li');
    item.className = from;
    const who = document.createElement('b');
    who.textContent = from === 'me' ? 'You: ' : 'Them: ';
    item.append(who, text);
    el.messages.append(item);
  }

  function rememberRoomInAddress(name) {
    const next = new URLSearchParams(location.search);
    next.set('room', name);
    history.replaceState(null, '', `${location.pathname}?${next}`);
  }

  // For debugging in the console (and the browser tests): the SDK instance and the room.
  window.demo = {
    get adaptor() {
      return adaptor;
    },
    get room() {
      return room;
    },
  };
})();
