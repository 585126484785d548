// Loads the package's root entry alone (ESM `import`) and prints the time it took, in ms.
const started = performance.now();
const root = await import('nest-ams-p2p-signaling');
const ms = performance.now() - started;
if (typeof root.SignalingModule !== 'function') throw new Error('no SignalingModule export');
console.log(`LOAD_MS ${ms.toFixed(1)}`);
