/** Toasts and the one modal dialog at a time. */
import type { StateCreator } from 'zustand';
import type { Studio } from './store.ts';
import type { Dialog, Toast } from './types.ts';

export interface UiSlice {
  toasts: Toast[];
  dialog: Dialog;
  connection: 'connecting' | 'open' | 'closed';
  notify(toast: Omit<Toast, 'id'>): number;
  dismissToast(id: number): void;
  setDialog(dialog: Dialog): void;
  setConnection(state: UiSlice['connection']): void;
}

let toastId = 0;

/**
 * How long a toast stays: every toast closes by itself (an error stays longer, to be read; its
 * close button closes it at once). A toast that never closed piled up over the canvas.
 */
export function toastLifetimeMs(tone: Toast['tone']): number {
  return tone === 'error' ? 12_000 : 4_500;
}

export const createUiSlice: StateCreator<Studio, [], [], UiSlice> = (set) => ({
  toasts: [],
  dialog: null,
  connection: 'connecting',
  notify(toast) {
    const id = ++toastId;
    set((s) => ({ toasts: [...s.toasts.slice(-4), { ...toast, id }] }));
    return id;
  },
  dismissToast: (id) => set((s) => ({ toasts: s.toasts.filter((t) => t.id !== id) })),
  setDialog: (dialog) => set({ dialog }),
  setConnection: (connection) => set({ connection }),
});
