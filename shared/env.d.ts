// Globals present in every place shared/ runs (browsers, Node ≥ 16, Electron), declared here so
// that shared/ can be type-checked without the DOM or Node libraries.
declare function btoa(data: string): string;
declare function atob(data: string): string;
