/**
 * `npm run serve`: the studio in a browser with the engine in this process. Prints the URL
 * (with its token) and shuts down cleanly on Ctrl+C / SIGTERM.
 */
import { parseServeArgs, USAGE } from './options.ts';
import { startServe } from './server.ts';

export { startServe } from './server.ts';
export type { ServeHandle, ServeOptions } from './server.ts';

async function main(): Promise<void> {
  let options;
  try {
    options = parseServeArgs(process.argv.slice(2));
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
    process.exit(2);
  }
  if (options.help) {
    console.log(USAGE);
    return;
  }
  const handle = await startServe(options);
  console.log(`Tessera studio: ${handle.url}`);
  console.log(`Batch output: ${handle.outDir}`);
  if (handle.host !== '127.0.0.1' && handle.host !== 'localhost') console.log('Listening beyond this machine: anyone with the URL (and its token) can use the engine.');
  const stop = (): void => {
    void handle.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

// Run only as the entry point: the launcher imports startServe from here.
if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('serve/main.ts')) {
  main().catch((error: unknown) => {
    console.error(`serve failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}
