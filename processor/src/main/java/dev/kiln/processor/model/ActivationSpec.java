package dev.kiln.processor.model;

import dev.kiln.annotations.ActivationFunction;

/**
 * An activation with its parameters resolved to the values the generated code uses.
 *
 * @param function the function
 * @param alpha the effective alpha (the function's default when none was written); NaN if unused
 * @param temperature softmax temperature; 1 otherwise
 */
public record ActivationSpec(ActivationFunction function, double alpha, double temperature) {
  /** Keras's defaults: leaky_relu 0.2, elu 1.0. */
  public static double defaultAlpha(ActivationFunction function) {
    switch (function) {
      case LEAKY_RELU:
        return 0.2;
      case ELU:
        return 1.0;
      default:
        return Double.NaN;
    }
  }

  public boolean usesAlpha() {
    return function == ActivationFunction.LEAKY_RELU || function == ActivationFunction.ELU;
  }

  public boolean isLinear() {
    return function == ActivationFunction.LINEAR;
  }
}
