package dev.kiln.processor.layers;

import dev.kiln.processor.model.StepRule;

import dev.kiln.processor.model.LayerSpec;

/** A kind that merges two or more inputs into one ({@code @Add}, {@code @Concatenate}). */
interface MergeLayer extends LayerSpec {
  @Override
  default StepRule stepRule() {
    return StepRule.PER_POSITION; // Add: element-wise; Concatenate: along the last axis
  }

  @Override
  default int minInputs() {
    return 2;
  }

  @Override
  default int maxInputs() {
    return Integer.MAX_VALUE;
  }
}
