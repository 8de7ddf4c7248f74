/**
 * Names of software WebGPU/Vulkan adapters (SwiftShader, llvmpipe/lavapipe, the mock ICD, WARP):
 * they run shaders on the CPU, ~100× slower than the CPU backend, so `auto` never picks them. One
 * list for both probes: onnxruntime-node's (engine/node/webgpu-probe.ts) and the page's
 * (web/runtime/choose-backend.ts).
 */
const SOFTWARE_ADAPTER = /swiftshader|llvmpipe|lavapipe|libvulkan_lvp|lvp_icd|softpipe|mock_icd|microsoft basic render|\bwarp\b/i;

export function isSoftwareAdapterName(text: string): boolean {
  return SOFTWARE_ADAPTER.test(text);
}
