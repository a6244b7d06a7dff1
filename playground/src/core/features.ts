// The features' names as the page and the formulas write them (their ops are in network.ts).
import type { FeatureName } from './state.js';

export const FEATURE_LABELS: Record<FeatureName, { label: string; latex: string }> = {
  x1: { label: 'X₁', latex: 'x_1' },
  x2: { label: 'X₂', latex: 'x_2' },
  x1sq: { label: 'X₁²', latex: 'x_1^2' },
  x2sq: { label: 'X₂²', latex: 'x_2^2' },
  x1x2: { label: 'X₁X₂', latex: 'x_1 x_2' },
  sinx1: { label: 'sin X₁', latex: '\\sin x_1' },
  sinx2: { label: 'sin X₂', latex: '\\sin x_2' },
  dist: { label: '‖X‖', latex: '\\sqrt{x_1^2 + x_2^2}' },
};
