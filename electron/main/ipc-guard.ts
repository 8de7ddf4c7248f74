/**
 * The gate every renderer → main IPC message passes: first who sent it (the main frame of our own
 * window, loaded from our origin — not an iframe, not another window, not a page that navigated
 * elsewhere), then what it says (the channel's zod schema from shared/desktop-ipc.ts). A refusal
 * is logged with its reason and answered with a BAD_REQUEST result, never a throw, so the renderer
 * sees a typed error and main's log says why. No Electron import: the sender is described by
 * plain fields, filled from `event.senderFrame` by electron/main/ipc.ts.
 */
import type { z } from 'zod';
import { toErrorPayload } from '../../shared/errors.ts';
import type { IpcResult } from '../../shared/desktop-ipc.ts';
import { isTrustedUrl } from './navigation-policy.ts';

export interface SenderInfo {
  /** The sending frame's URL, or null when the frame is gone (navigated or destroyed). */
  frameUrl: string | null;
  /** True when the frame is its page's top frame (`senderFrame.parent === null`). */
  isMainFrame: boolean;
  /** The webContents id, compared against the windows main created with our preload. */
  webContentsId: number;
}

export interface GuardPolicy {
  trustedOrigins: readonly string[];
  /** webContents ids that may call main (the studio window; not the About window). */
  isKnownWebContents(id: number): boolean;
}

export type Log = (line: string) => void;

export function checkSender(sender: SenderInfo, policy: GuardPolicy): string | null {
  if (!policy.isKnownWebContents(sender.webContentsId)) return `webContents ${sender.webContentsId} is not a studio window`;
  if (sender.frameUrl === null) return 'the sending frame is gone';
  if (!sender.isMainFrame) return `sub-frame ${sender.frameUrl} may not call main`;
  if (!isTrustedUrl(sender.frameUrl, policy.trustedOrigins)) return `untrusted origin ${sender.frameUrl}`;
  return null;
}

/** One line per zod issue, with its path: what the log shows for a rejected payload. */
export function describeIssues(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(payload)'}: ${issue.message}`).join('; ');
}

export type Validated<T> = { ok: true; value: T } | { ok: false; result: IpcResult<never> };

export function validateIpc<S extends z.ZodType>(channel: string, sender: SenderInfo, payload: unknown, schema: S, policy: GuardPolicy, log: Log): Validated<z.output<S>> {
  const senderProblem = checkSender(sender, policy);
  if (senderProblem !== null) {
    log(`[ipc] rejected ${channel}: ${senderProblem}`);
    return { ok: false, result: { ok: false, error: { code: 'BAD_REQUEST', message: `Refused ${channel}: ${senderProblem}.` } } };
  }
  const parsed = schema.safeParse(payload);
  if (!parsed.success) {
    const reason = describeIssues(parsed.error);
    log(`[ipc] rejected ${channel} from ${sender.frameUrl}: ${reason}`);
    return { ok: false, result: { ok: false, error: { code: 'BAD_REQUEST', message: `Invalid ${channel} payload: ${reason}` } } };
  }
  return { ok: true, value: parsed.data };
}

/**
 * Wraps a handler: validate, run, and turn anything thrown into an error result (a TesseraError
 * keeps its code; anything else is INTERNAL with its message), logged once.
 */
export function guardedHandler<S extends z.ZodType, T>(
  channel: string,
  schema: S,
  policy: GuardPolicy,
  log: Log,
  handler: (payload: z.output<S>) => Promise<T> | T,
): (sender: SenderInfo, payload: unknown) => Promise<IpcResult<T>> {
  return async (sender, payload) => {
    const validated = validateIpc(channel, sender, payload, schema, policy, log);
    if (!validated.ok) return validated.result;
    try {
      return { ok: true, value: await handler(validated.value) };
    } catch (error) {
      const payloadError = toErrorPayload(error);
      log(`[ipc] ${channel} failed: ${payloadError.code} ${payloadError.message}`);
      return { ok: false, error: payloadError };
    }
  };
}
