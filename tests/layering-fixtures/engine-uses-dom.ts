// An engine-core file that uses the DOM and Node's globals: no import to lint, so the engine's
// tsconfig (no DOM, no Node types) is what refuses it.
export const canvas = document.createElement('canvas');
export const home = process.env.HOME;
