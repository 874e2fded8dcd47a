// The native TensorFlow packages `--backend auto` prefers over wasm-blas (optional, never dependencies), and whether one is
// installed. Light on purpose: the parent of training workers asks without loading tfjs (backend.ts loads it).
import { createRequire } from 'node:module';

/** In order of preference, with the backend name each gives. */
export const NATIVE_TF_PACKAGES = [['@tensorflow/tfjs-node-gpu', 'node-gpu'], ['@tensorflow/tfjs-node', 'node']] as const;

/** Whether `--backend auto` would pick a native TensorFlow package (one can be resolved); nothing is loaded. */
export function nativeTfInstalled(): boolean {
  const req = createRequire(import.meta.url);
  return NATIVE_TF_PACKAGES.some(([pkg]) => {
    try {
      req.resolve(pkg);
      return true;
    } catch {
      return false;
    }
  });
}
