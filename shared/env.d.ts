// Globals present in every place shared/ runs (browsers, Node ≥ 16, Electron), declared here so
// that shared/ can be type-checked without the DOM or Node libraries.
declare function btoa(data: string): string;
declare function atob(data: string): string;
// The engine supervisor's restart timer. The handle is opaque here: a number in browsers, a
// Timeout object in Node; shared/ only hands it back to clearTimeout.
declare function setTimeout(callback: () => void, ms?: number): unknown;
declare function clearTimeout(timer: unknown): void;
