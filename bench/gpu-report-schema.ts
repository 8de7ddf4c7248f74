/** What bench/gpu-check.sh writes: adapter.json (bench/gpu-adapter.ts) and report.json (bench/gpu-report.ts). */
import { z } from 'zod';

export const AdapterFileSchema = z.object({
  probe: z.object({ available: z.boolean(), software: z.boolean().nullable(), device: z.string().optional(), driver: z.string().optional(), evidence: z.string(), error: z.string().optional() }),
  auto: z.object({ backend: z.string(), note: z.string().nullable() }),
  vulkanDriverManifests: z.array(z.string()),
});

export const GpuCheckReportSchema = z.object({
  date: z.string(),
  adapter: AdapterFileSchema.nullable(),
  runs: z.array(
    z.object({
      model: z.string(),
      modelVersion: z.string(),
      backend: z.string(),
      backendNote: z.string().nullable(),
      file: z.string(),
      idle: z.boolean(),
      rows: z.array(z.object({ name: z.string(), grid: z.string(), tokensPerSecond: z.number(), samplingSeconds: z.number(), totalSeconds: z.number(), load: z.number() })),
      firstPreviewMs: z.number().nullable(),
    }),
  ),
  failures: z.array(z.string()),
});
export type AdapterFile = z.infer<typeof AdapterFileSchema>;
export type GpuCheckReport = z.infer<typeof GpuCheckReportSchema>;
