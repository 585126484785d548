'use strict';
// Loads the package's root entry alone (CommonJS `require`) and prints the time it took, in ms.
const started = performance.now();
const root = require('nest-ams-p2p-signaling');
const ms = performance.now() - started;
if (typeof root.SignalingModule !== 'function') throw new Error('no SignalingModule export');
console.log(`LOAD_MS ${ms.toFixed(1)}`);
