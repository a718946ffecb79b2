package dev.kiln.processor.model;

import dev.kiln.processor.Diagnostics;
import dev.kiln.processor.Message;
import java.util.function.DoublePredicate;

/**
 * A rule on a {@code double} annotation attribute that the generated code uses as a {@code float}.
 * The rule is checked twice: on the value as written (the attribute's own message) and on the
 * float the generated code computes with ({@link Message#FLOAT_RANGE}), so 1e300 (Infinity as a
 * float) and an epsilon of 1e-60 (0 as a float) are located errors, not broken models.
 *
 * @param text the rule in words, for messages: {@code "> 0 and finite"}
 * @param asWritten the rule on the written value
 * @param asFloat the rule on the value the generated code uses, given the written value
 * @param floatUse what the generated code makes of the value, for messages: {@code "as a float it is"}
 */
public record FloatRule(String text, DoublePredicate asWritten, DoublePredicate asFloat, String floatUse) {
  /** Any finite float. */
  public static final FloatRule FINITE = of("finite", Double::isFinite);
  /** A finite float >= 0. */
  public static final FloatRule NON_NEGATIVE = of(">= 0 and finite", v -> v >= 0 && Double.isFinite(v));
  /** A finite float > 0 (so not a value that underflows to 0). */
  public static final FloatRule POSITIVE = of("> 0 and finite", v -> v > 0 && Double.isFinite(v));
  /** A float in [0, 1) (so not a value that rounds to 1). */
  public static final FloatRule UNIT = of("in [0, 1)", v -> v >= 0 && v < 1);
  /** A softmax temperature: > 0 and finite, and its inverse, the float the kernels use, > 0 and finite. */
  public static final FloatRule TEMPERATURE = new FloatRule("> 0 and finite", v -> v > 0 && Double.isFinite(v),
      v -> isPositiveFiniteFloat(inverse(v)), "its inverse 1/temperature, as a float, is");

  private static FloatRule of(String text, DoublePredicate rule) {
    return new FloatRule(text, rule, v -> rule.test((float) v), "as a float it is");
  }

  private static boolean isPositiveFiniteFloat(float f) {
    return f > 0 && Float.isFinite(f);
  }

  private static float inverse(double v) {
    return (float) (1.0 / v);
  }

  /** The float the generated code uses, for messages. */
  private float used(double v) {
    return this == TEMPERATURE ? inverse(v) : (float) v;
  }

  /**
   * Checks {@code value} of {@code attribute} on {@code site}: {@code message} with {@code args}
   * when the written value breaks the rule, {@link Message#FLOAT_RANGE} when only its float does.
   *
   * @param label the attribute as messages name it: {@code "@LayerNorm epsilon"}
   * @return whether the value is valid
   */
  public boolean check(Diagnostics diagnostics, Site site, String attribute, String label, double value,
      Message message, Object... args) {
    if (!asWritten.test(value)) {
      diagnostics.error(site, attribute, message, args);
      return false;
    }
    if (!asFloat.test(value)) {
      diagnostics.error(site, attribute, Message.FLOAT_RANGE, label, value, floatUse, used(value), text);
      return false;
    }
    return true;
  }
}
