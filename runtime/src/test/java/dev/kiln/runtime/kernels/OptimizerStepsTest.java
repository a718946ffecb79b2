package dev.kiln.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The optimizer loops: the Vector API twin equals the scalar one bit for bit on odd ranges, the
 * scalar one equals a hand-written Adam step in double-checked float arithmetic, old values are
 * saved exactly, and the fused finiteness check catches NaN and overflow in vector lanes and
 * tails alike.
 */
class OptimizerStepsTest {

  private static final OptimizerSteps SCALAR = KernelSelector.scalarOptimizerSteps();
  private static OptimizerSteps vector;

  private static final float B1 = 0.9f;
  private static final float B2 = 0.999f;
  private static final float EPS = 1e-7f;

  @BeforeAll
  static void requireVectorApi() {
    assumeTrue(KernelSelector.vectorModulePresent(), "run with --add-modules jdk.incubator.vector");
    vector = KernelSelector.vectorOptimizerSteps();
  }

  static IntStream sizes() {
    return IntStream.of(1, 3, 15, 16, 17, 33, 100, 257);
  }

  /** Parameters, gradients, m and v for a range at offset 5 of arrays with 7 spare elements. */
  private static float[][] state(int n, long seed) {
    Random rnd = new Random(seed);
    float[][] s = new float[4][n + 12];
    for (int i = 0; i < s[0].length; i++) {
      s[0][i] = rnd.nextFloat() - 0.5f;
      s[1][i] = (rnd.nextFloat() - 0.5f) * 1e-2f;
      s[2][i] = (rnd.nextFloat() - 0.5f) * 1e-3f;
      s[3][i] = rnd.nextFloat() * 1e-5f;
    }
    return s;
  }

  private static boolean adam(OptimizerSteps kernel, float[][] s, int from, int to, float[][] saved) {
    // Step 3 of Adam at lr 1e-3, AdamW decay 1e-2: the caller's folded constants.
    float stepSize = (float) (1e-3 / (1 - Math.pow(B1, 3)));
    float rsqrtBc2 = (float) (1 / Math.sqrt(1 - Math.pow(B2, 3)));
    float decay = (float) (1 - 1e-3 * 1e-2);
    return kernel.adam(s[0], s[1], s[2], s[3], from, to, B1, (float) (1.0 - B1), B2,
        (float) (1.0 - B2), stepSize, rsqrtBc2, EPS, decay, saved);
  }

  private static float[][] copy(float[][] s) {
    float[][] c = new float[s.length][];
    for (int i = 0; i < s.length; i++) {
      c[i] = s[i].clone();
    }
    return c;
  }

  @ParameterizedTest(name = "n={0}")
  @MethodSource("sizes")
  void vectorAdamEqualsScalarBitForBitWithAndWithoutSaving(int n) {
    float[][] expected = state(n, n);
    float[][] actual = copy(expected);
    float[][] checked = copy(expected);
    float[][] saved = new float[3][n + 12];
    assertTrue(adam(SCALAR, expected, 5, 5 + n, null));
    assertTrue(adam(vector, actual, 5, 5 + n, null));
    assertTrue(adam(vector, checked, 5, 5 + n, saved));
    for (int a = 0; a < 4; a++) {
      assertArrayEquals(expected[a], actual[a], "array " + a);
      assertArrayEquals(expected[a], checked[a], "array " + a + " (checked step)");
    }
    float[][] before = state(n, n);
    for (int a = 0; a < 3; a++) {
      int source = a == 0 ? 0 : a + 1; // saved: parameters, m, v
      for (int i = 0; i < n + 12; i++) {
        float want = i >= 5 && i < 5 + n ? before[source][i] : 0f;
        assertEquals(want, saved[a][i], "saved array " + a + " index " + i);
      }
    }
  }

  @Test
  void scalarAdamIsPyTorchsUpdateByHand() {
    // One element, step 1 of Adam (no decay): m = 0.1 g, v = 0.001 g^2, m^ = g, v^ = g^2, so the
    // update is lr * g / (|g| + eps) = lr * sign(g) up to eps.
    float[] p = {0.5f};
    float[] g = {0.02f};
    float[] m = {0f};
    float[] v = {0f};
    float stepSize = (float) (1e-3 / (1 - B1));
    float rsqrtBc2 = (float) (1 / Math.sqrt(1 - B2));
    SCALAR.adam(p, g, m, v, 0, 1, B1, (float) (1.0 - B1), B2, (float) (1.0 - B2), stepSize,
        rsqrtBc2, EPS, 1f, null);
    assertEquals(0.002f, m[0], 1e-9f);
    assertEquals(4e-7f, v[0], 1e-11f); // 1 - beta2 rounds to 0.0010000467f
    assertEquals(0.5 - 1e-3 * 0.02 / (0.02 + 1e-7), p[0], 1e-7);
  }

  @ParameterizedTest(name = "n={0}")
  @MethodSource("sizes")
  void checkedStepReportsNaNAndOverflowAtEveryPosition(int n) {
    for (OptimizerSteps kernel : new OptimizerSteps[] {SCALAR, vector}) {
      for (int at : new int[] {0, n / 2, n - 1}) {
        for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY, 1e22f}) {
          // 1e22 is finite, but 0.001 * 1e22 * 1e22 overflows the second moment to infinity.
          float[][] s = state(n, 7);
          s[1][5 + at] = bad;
          float[][] saved = new float[3][n + 12];
          String what = kernel.description() + " gradient " + bad + " at " + at;
          assertFalse(adam(kernel, s, 5, 5 + n, saved), what);
          float[][] clean = state(n, 7);
          assertArrayEquals(java.util.Arrays.copyOfRange(clean[0], 5, 5 + n),
              java.util.Arrays.copyOfRange(saved[0], 5, 5 + n), what + ": saved parameters");
        }
      }
      assertTrue(adam(kernel, state(n, 7), 5, 5 + n, new float[3][n + 12]), kernel.description());
    }
  }
}
