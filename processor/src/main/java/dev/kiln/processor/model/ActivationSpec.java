package dev.kiln.processor.model;

import dev.kiln.annotations.ActivationFunction;
import dev.kiln.processor.Diagnostics;
import dev.kiln.processor.Message;

/**
 * An activation with its parameters resolved to the values the generated code uses.
 *
 * @param function the function
 * @param alpha the effective alpha (the function's default when none was written); NaN if unused
 * @param temperature softmax temperature; 1 otherwise
 */
public record ActivationSpec(ActivationFunction function, double alpha, double temperature) {
  /** No activation. */
  public static final ActivationSpec LINEAR = new ActivationSpec(ActivationFunction.LINEAR, Double.NaN, 1.0);

  /** As written on an annotation; a NaN alpha means the function's default. */
  public static ActivationSpec of(ActivationFunction function, double alpha, double temperature) {
    return new ActivationSpec(function, Double.isNaN(alpha) ? defaultAlpha(function) : alpha, temperature);
  }

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

  /** The rules on {@code alpha} and {@code temperature} as written on {@code site}. */
  public void check(Site site, Diagnostics diagnostics) {
    if (site.has("alpha")) {
      if (usesAlpha()) {
        FloatRule rule = function == ActivationFunction.LEAKY_RELU ? FloatRule.UNIT : FloatRule.POSITIVE;
        rule.check(diagnostics, site, "alpha", function + " alpha", alpha, Message.ALPHA_RANGE, function, rule.text(),
            alpha);
      } else {
        diagnostics.error(site, "alpha", Message.ALPHA_UNUSED, function);
      }
    }
    if (site.has("temperature")) {
      if (function != ActivationFunction.SOFTMAX) {
        diagnostics.error(site, "temperature", Message.TEMPERATURE_UNUSED, function);
      } else {
        FloatRule.TEMPERATURE.check(diagnostics, site, "temperature", "softmax temperature", temperature,
            Message.TEMPERATURE, temperature);
      }
    }
  }
}
