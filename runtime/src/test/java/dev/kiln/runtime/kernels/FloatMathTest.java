package dev.kiln.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The float functions the kernels share, against double-precision {@code Math} over their whole
 * range (their equality with the vector lanes is VectorElementwiseTest's).
 */
class FloatMathTest {

  @Test
  void expTanhAndSigmoidStayWithinThreeUlpOfMath() {
    for (float x = -100f; x <= 100f; x += 0.001953125f) { // 2^-9 steps: every binade's spacing
      check("exp", x, FloatMath.exp(x), Math.exp(x));
      check("tanh", x, FloatMath.tanh(x), Math.tanh(x));
      check("sigmoid", x, FloatMath.sigmoid(x), 1.0 / (1.0 + Math.exp(-x)));
    }
    for (float x = 1e-6f; x < 1f; x *= 1.01f) { // small magnitudes: tanh's series, sigmoid near 1/2
      check("tanh", x, FloatMath.tanh(x), Math.tanh(x));
      check("tanh", -x, FloatMath.tanh(-x), Math.tanh(-x));
      check("sigmoid", -x, FloatMath.sigmoid(-x), 1.0 / (1.0 + Math.exp(x)));
    }
  }

  private static void check(String function, float x, float actual, double expected) {
    if (expected < Float.MIN_NORMAL && expected > -Float.MIN_NORMAL) {
      // Below the normal floats: exp gives the subnormal, sigmoid 1 / (1 + e^-x) underflows to 0
      // once e^-x overflows (x < -88.7), as the vector lanes do.
      assertEquals(expected, actual, Float.MIN_NORMAL, function + "(" + x + ")");
      return;
    }
    if (Float.isInfinite((float) expected)) {
      assertEquals((float) expected, actual, function + "(" + x + ") overflows");
      return;
    }
    // exp within 1 ulp; tanh's and sigmoid's divisions round once or twice more.
    assertEquals(expected, actual, 3 * Math.ulp((float) expected), function + "(" + x + ")");
  }

  @Test
  void signedZerosInfinitiesAndNaN() {
    assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(FloatMath.tanh(-0f)), "tanh(-0) is -0");
    assertEquals(0f, FloatMath.tanh(0f));
    assertEquals(1f, FloatMath.tanh(Float.POSITIVE_INFINITY));
    assertEquals(-1f, FloatMath.tanh(Float.NEGATIVE_INFINITY));
    assertEquals(1f, FloatMath.sigmoid(Float.POSITIVE_INFINITY));
    assertEquals(0f, FloatMath.sigmoid(Float.NEGATIVE_INFINITY));
    assertEquals(0.5f, FloatMath.sigmoid(0f));
    assertEquals(Float.POSITIVE_INFINITY, FloatMath.exp(89f));
    assertEquals(0f, FloatMath.exp(-104f));
    assertEquals(1f, FloatMath.exp(0f));
    assertTrue(Float.isNaN(FloatMath.exp(Float.NaN)));
    assertTrue(Float.isNaN(FloatMath.tanh(Float.NaN)));
    assertTrue(Float.isNaN(FloatMath.sigmoid(Float.NaN)));
  }
}
