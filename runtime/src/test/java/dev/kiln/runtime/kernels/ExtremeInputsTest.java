package dev.kiln.runtime.kernels;

import static dev.kiln.runtime.kernels.KernelTestSupport.assertClose;
import static dev.kiln.runtime.kernels.KernelTestSupport.filled;
import static dev.kiln.runtime.kernels.KernelTestSupport.placed;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.runtime.kernels.KernelTestSupport.Activation;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Saturating inputs on both implementations: logits and pre-activations of ±1e4 (and the float
 * exp overflow boundary near ±88) must give finite, correct values, never NaN or infinity.
 * Inputs are repeated to 40 elements so the vector main loop, not only the scalar tail, sees them.
 */
class ExtremeInputsTest {

  static Stream<Elementwise> implementations() {
    List<Elementwise> list = new ArrayList<>();
    list.add(KernelSelector.scalarElementwise());
    if (KernelSelector.vectorModulePresent()) {
      list.add(KernelSelector.vectorElementwise());
    }
    return list.stream();
  }

  private static final float[] EXTREMES = {1e4f, -1e4f, 88f, -88f, 89f, -89f, 100f, -100f, 1e-30f, -1e-30f};

  /** {@link #EXTREMES} repeated to 40 elements. */
  private static float[] repeated() {
    float[] values = new float[40];
    for (int i = 0; i < values.length; i++) {
      values[i] = EXTREMES[i % EXTREMES.length];
    }
    return values;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("implementations")
  void sigmoidTanhSaturateCorrectly(Elementwise k) {
    float[] values = repeated();
    int n = values.length;
    float[] x = placed(0, values);
    float[] y = filled(0, n, Float.NaN);
    k.sigmoid(n, x, 0, y, 0);
    for (int i = 0; i < n; i++) {
      float v = values[i];
      double expected = 1 / (1 + Math.exp(-(double) v));
      assertEquals(expected, y[i], 1e-6 * expected + 1e-30, "sigmoid(" + v + ")");
    }
    k.tanh(n, x, 0, y, 0);
    for (int i = 0; i < n; i++) {
      float v = values[i];
      assertEquals(Math.tanh(v), y[i], 1e-6 * Math.abs(Math.tanh(v)), "tanh(" + v + ")");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("implementations")
  void everyActivationAndGradientStaysFinite(Elementwise k) {
    float[] values = repeated();
    int n = values.length;
    float[] x = placed(0, values);
    float[] dy = filled(0, n, 1f);
    for (Activation act : KernelTestSupport.ACTIVATIONS) {
      float[] y = filled(0, n, Float.NaN);
      float[] dx = filled(0, n, Float.NaN);
      act.forward().apply(k, n, x, 0, y, 0);
      act.backward().apply(k, n, x, 0, y, 0, dy, 0, dx, 0);
      for (int i = 0; i < n; i++) {
        assertTrue(Float.isFinite(y[i]), act + "(" + values[i] + ") = " + y[i]);
        assertTrue(Float.isFinite(dx[i]), act + "'(" + values[i] + ") = " + dx[i]);
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("implementations")
  void largePositiveAndNegativeInputsHaveTheirLimits(Elementwise k) {
    float[] x = placed(0, new float[] {1e4f, -1e4f});
    float[] y = filled(0, 2, Float.NaN);
    float[] dy = filled(0, 2, 1f);
    float[] dx = filled(0, 2, Float.NaN);
    // Identity on the right, zero (or -alpha-ish constants) on the left.
    k.swish(2, x, 0, y, 0);
    assertClose(new double[] {1e4, 0}, y, 0, 1e-6, 0, "swish");
    k.gelu(2, x, 0, y, 0);
    assertClose(new double[] {1e4, 0}, y, 0, 1e-6, 0, "gelu");
    k.geluTanh(2, x, 0, y, 0);
    assertClose(new double[] {1e4, 0}, y, 0, 1e-6, 0, "geluTanh");
    k.elu(2, 1f, x, 0, y, 0);
    assertClose(new double[] {1e4, -1}, y, 0, 1e-6, 0, "elu");
    k.selu(2, x, 0, y, 0);
    assertClose(new double[] {1.0507009873554805 * 1e4, -1.0507009873554805 * 1.6732632423543772},
        y, 0, 1e-6, 0, "selu");
    k.swishBackward(2, x, 0, y, 0, dy, 0, dx, 0);
    assertClose(new double[] {1, 0}, dx, 0, 1e-6, 0, "swish'");
    k.geluBackward(2, x, 0, y, 0, dy, 0, dx, 0);
    assertClose(new double[] {1, 0}, dx, 0, 1e-6, 0, "gelu'");
    k.geluTanhBackward(2, x, 0, y, 0, dy, 0, dx, 0);
    assertClose(new double[] {1, 0}, dx, 0, 1e-6, 0, "geluTanh'");
  }

  /** Rows narrower than a vector (one exponentiation pass over the block): huge and tiny logits. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("implementations")
  void aNarrowSoftmaxOfHugeLogitsIsFiniteAndSumsToOne(Elementwise k) {
    int rows = 40;
    int cols = 3;
    float[] x = filled(0, rows * cols, 0f);
    for (int r = 0; r < rows; r++) {
      x[r * cols] = 1e4f * (r % 3 - 1);      // -1e4, 0 or 1e4
      x[r * cols + 1] = -3e38f;
      x[r * cols + 2] = 1e4f * (r % 3 - 1) - 1f;
    }
    float[] y = filled(1, rows * cols, Float.NaN);
    k.softmax(rows, cols, 1f, x, 0, y, 1);
    double expected = 1 / (1 + Math.exp(-1));
    for (int r = 0; r < rows; r++) {
      assertEquals(expected, y[1 + r * cols], 1e-6, "row " + r + " winner");
      assertEquals(0f, y[1 + r * cols + 1], "row " + r + " far below");
      assertEquals(1 - expected, y[1 + r * cols + 2], 1e-6, "row " + r + " one below");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("implementations")
  void softmaxOfHugeLogitsIsFiniteAndSumsToOne(Elementwise k) {
    int cols = 37;
    int rows = 4;
    float[] x = filled(3, rows * cols, 0f);
    for (int r = 0; r < rows; r++) {
      for (int j = 0; j < cols; j++) {
        x[3 + r * cols + j] = ((j * 7 + r) % 5 - 2) * 5e3f;   // values in {-1e4, -5e3, 0, 5e3, 1e4}
      }
    }
    x[3 + 2 * cols + 20] = 1e4f + 1f;  // row 2: a unique winner, 1 above the others
    for (float invT : new float[] {1f, 0.5f, 2f}) {
      float[] y = filled(5, rows * cols, Float.NaN);
      k.softmax(rows, cols, invT, x, 3, y, 5);
      for (int r = 0; r < rows; r++) {
        double sum = 0;
        int maxCount = 0;
        float max = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < cols; j++) {
          max = Math.max(max, x[3 + r * cols + j]);
        }
        for (int j = 0; j < cols; j++) {
          float p = y[5 + r * cols + j];
          assertTrue(Float.isFinite(p) && p >= 0 && p <= 1, "softmax row " + r + " col " + j + " = " + p);
          sum += p;
          if (x[3 + r * cols + j] == max) {
            maxCount++;
          }
        }
        assertEquals(1.0, sum, 1e-5, "row " + r + " sums to 1");
        for (int j = 0; j < cols; j++) {
          float xv = x[3 + r * cols + j];
          float p = y[5 + r * cols + j];
          if (xv == max) {
            // ties split the mass; row 2's unique winner shares it with the logits 1 below
            double share = r == 2
                ? 1 / (1 + countAt(x, 3 + r * cols, cols, 1e4f) * Math.exp(-invT))
                : 1.0 / maxCount;
            assertEquals(share, p, 1e-5, "row " + r + " winner share");
          } else if (max - xv >= 5e3f - 1f) {
            assertEquals(0f, p, "row " + r + " loser far below the max");
          }
        }
      }
      float[] dy = filled(2, rows * cols, 0.25f);
      dy[2 + 5] = -1f;
      float[] dx = filled(4, rows * cols, Float.NaN);
      k.softmaxBackward(rows, cols, invT, y, 5, dy, 2, dx, 4);
      for (int i = 0; i < rows * cols; i++) {
        assertTrue(Float.isFinite(dx[4 + i]), "softmax gradient " + i + " = " + dx[4 + i]);
      }
    }
  }

  private static int countAt(float[] x, int off, int cols, float value) {
    int count = 0;
    for (int j = 0; j < cols; j++) {
      if (x[off + j] == value) {
        count++;
      }
    }
    return count;
  }
}
