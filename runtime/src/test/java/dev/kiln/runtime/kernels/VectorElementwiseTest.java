package dev.kiln.runtime.kernels;

import static dev.kiln.runtime.kernels.KernelTestSupport.assertClose;
import static dev.kiln.runtime.kernels.KernelTestSupport.assertGuardsIntact;
import static dev.kiln.runtime.kernels.KernelTestSupport.filled;
import static dev.kiln.runtime.kernels.KernelTestSupport.random;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kiln.runtime.kernels.KernelTestSupport.Activation;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every Vector API element-wise kernel against its scalar twin, on sizes chosen to hit each code
 * path (empty, shorter than a vector, exact multiples, vector tails), with non-zero offsets and
 * accumulate on and off.
 */
class VectorElementwiseTest {

  private static final Elementwise SCALAR = KernelSelector.scalarElementwise();
  private static Elementwise vector;

  private static final int[] SIZES = {0, 1, 3, 15, 16, 17, 31, 33, 100, 257};

  @BeforeAll
  static void requireVectorApi() {
    assumeTrue(KernelSelector.vectorModulePresent(), "run with --add-modules jdk.incubator.vector");
    vector = KernelSelector.vectorElementwise();
  }

  // ---------------------------------------------------------------- sums, copies, bias

  static Stream<Arguments> sizes() {
    return java.util.Arrays.stream(SIZES).mapToObj(Arguments::of);
  }

  @ParameterizedTest(name = "n={0}")
  @MethodSource("sizes")
  void allFiniteFindsEveryInfinityAndNaN(int n) {
    Random rnd = new Random(n * 31L);
    float[] x = random(rnd, 4, n, -1f, 1f);
    for (int i = 0; i < n; i++) {
      x[4 + i] *= i % 3 == 0 ? 3e38f : i % 3 == 1 ? 1e-44f : 1f; // finite extremes and subnormals
    }
    if (n > 1) {
      x[4 + n / 2] = -0f;
      x[5] = Float.MAX_VALUE;
      x[4 + n - 1] = -Float.MAX_VALUE;
    }
    for (Elementwise kernels : new Elementwise[] {SCALAR, vector}) {
      String what = kernels.description();
      assertTrue(kernels.allFinite(n, x, 4), what + ", all finite (NaN padding outside the range)");
      for (int at = 0; at < n; at++) {
        for (float bad : new float[] {Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN}) {
          float[] y = x.clone();
          y[4 + at] = bad;
          assertFalse(kernels.allFinite(n, y, 4), what + ", " + bad + " at " + at);
        }
      }
    }
  }

  @ParameterizedTest(name = "n={0}")
  @MethodSource("sizes")
  void sumAbs2IsTheL1NormOfEachRangeAndBoundsItsLargestMagnitude(int n) {
    Random rnd = new Random(n * 37L);
    float[] a = random(rnd, 4, n, -1f, 1f);
    float[] b = random(rnd, 4, n, -1e30f, 1e30f);
    for (Elementwise kernels : new Elementwise[] {SCALAR, vector}) {
      float[] out = {-1, -1};
      kernels.sumAbs2(n, 4, a, b, out);
      float[][] ranges = {a, b};
      for (int r = 0; r < 2; r++) {
        double exact = 0;
        for (int i = 4; i < 4 + n; i++) {
          exact += Math.abs(ranges[r][i]);
        }
        String what = kernels.description() + ", range " + r;
        assertEquals(exact, out[r], 1e-6 * (n + 1) * exact, what);
        float largest = 0f;
        for (int i = 4; i < 4 + n; i++) {
          largest = Math.max(largest, Math.abs(ranges[r][i]));
        }
        assertTrue(out[r] >= largest, what + ": bounds the largest magnitude");
      }
    }
    if (n == 0) {
      return;
    }
    for (int at = 0; at < n; at++) {
      float[] inf = a.clone();
      inf[4 + at] = Float.NEGATIVE_INFINITY;
      float[] nan = b.clone();
      nan[4 + (at * 7) % n] = Float.NaN;
      for (Elementwise kernels : new Elementwise[] {SCALAR, vector}) {
        float[] out = new float[2];
        kernels.sumAbs2(n, 4, inf, nan, out);
        assertEquals(Float.POSITIVE_INFINITY, out[0], kernels.description() + ", infinity at " + at);
        assertTrue(Float.isNaN(out[1]), kernels.description() + ", NaN at " + at);
      }
    }
    float[] overflowing = new float[4 + n];
    java.util.Arrays.fill(overflowing, 4, 4 + n, n == 1 ? Float.MAX_VALUE : Float.MAX_VALUE / 1.5f);
    float[] out = new float[2];
    vector.sumAbs2(n, 4, overflowing, overflowing, out);
    assertTrue(out[0] >= Float.MAX_VALUE, "a sum past the largest float is infinite, never less than its largest element");
  }

  @ParameterizedTest(name = "n={0}")
  @MethodSource("sizes")
  void addAndAccumulateMatchScalar(int n) {
    Random rnd = new Random(n * 17L);
    float[] a = random(rnd, 3, n, -1f, 1f);
    float[] b = random(rnd, 8, n, -1f, 1f);
    float[] expected = filled(5, n, Float.NaN);
    float[] actual = filled(5, n, Float.NaN);
    SCALAR.add(n, a, 3, b, 8, expected, 5);
    vector.add(n, a, 3, b, 8, actual, 5);
    assertClose(expected, 5, actual, 5, n, 0, 0, "add");
    assertGuardsIntact(actual, 5, n, "add");
    float[] inPlace = a.clone();
    vector.add(n, inPlace, 3, b, 8, inPlace, 3);
    assertClose(expected, 5, inPlace, 3, n, 0, 0, "add with c = a");
    assertGuardsIntact(inPlace, 3, n, "add with c = a");

    SCALAR.accumulate(n, b, 8, expected, 5);
    vector.accumulate(n, b, 8, actual, 5);
    assertClose(expected, 5, actual, 5, n, 0, 0, "accumulate");
    assertGuardsIntact(actual, 5, n, "accumulate");
  }

  @ParameterizedTest(name = "rows={0} cols={1}")
  @MethodSource("matrixShapes")
  void copyBlockMatchesScalar(int rows, int cols) {
    Random rnd = new Random(rows * 31L + cols);
    int srcStride = cols + 4;
    int dstStride = 2 * cols + 1;
    float[] src = random(rnd, 2, rows * srcStride, -1f, 1f);
    float[] expected = random(new Random(7), 6, rows * dstStride, -1f, 1f);
    float[] actual = expected.clone();
    SCALAR.copyBlock(rows, cols, src, 3, srcStride, expected, 6 + cols, dstStride);
    vector.copyBlock(rows, cols, src, 3, srcStride, actual, 6 + cols, dstStride);
    assertClose(expected, 6, actual, 6, rows * dstStride, 0, 0, "copyBlock");
    for (int r = 0; r < rows; r++) {
      assertClose(src, 3 + r * srcStride, actual, 6 + cols + r * dstStride, cols, 0, 0, "copyBlock row " + r);
    }
    assertGuardsIntact(actual, 6, rows * dstStride, "copyBlock");
  }

  static Stream<Arguments> matrixShapes() {
    return Stream.of(new int[][] {{1, 1}, {3, 15}, {7, 16}, {5, 17}, {64, 100}, {3, 257}, {2, 70},
        {4, 64}, {9, 0}, {0, 9}}).map(s -> Arguments.of(s[0], s[1]));
  }

  @ParameterizedTest(name = "rows={0} cols={1}")
  @MethodSource("matrixShapes")
  void addRowVectorMatchesScalar(int rows, int cols) {
    Random rnd = new Random(rows * 1000L + cols);
    float[] v = random(rnd, 2, cols, -1f, 1f);
    float[] x = random(rnd, 9, rows * cols, -1f, 1f);
    float[] expected = x.clone();
    float[] actual = x.clone();
    SCALAR.addRowVector(rows, cols, v, 2, expected, 9);
    vector.addRowVector(rows, cols, v, 2, actual, 9);
    assertClose(expected, 9, actual, 9, rows * cols, 0, 0, "addRowVector");
    assertGuardsIntact(actual, 9, rows * cols, "addRowVector");
  }

  @ParameterizedTest(name = "rows={0} cols={1}")
  @MethodSource("matrixShapes")
  void sumColumnsMatchesScalar(int rows, int cols) {
    for (boolean accumulate : new boolean[] {false, true}) {
      Random rnd = new Random(rows * 1000L + cols);
      float[] x = random(rnd, 4, rows * cols, -1f, 1f);
      float[] out0 = accumulate ? random(rnd, 6, cols, -1f, 1f) : filled(6, cols, Float.NaN);
      float[] expected = out0.clone();
      float[] actual = out0.clone();
      SCALAR.sumColumns(rows, cols, x, 4, expected, 6, accumulate);
      vector.sumColumns(rows, cols, x, 4, actual, 6, accumulate);
      assertClose(expected, 6, actual, 6, cols, 1e-5, 1e-6 * rows + 1e-6, "sumColumns acc=" + accumulate);
      assertGuardsIntact(actual, 6, cols, "sumColumns");
    }
  }

  // ---------------------------------------------------------------- activations

  static Stream<Arguments> activationCases() {
    List<Arguments> cases = new ArrayList<>();
    for (Activation act : KernelTestSupport.ACTIVATIONS) {
      for (int n : SIZES) {
        cases.add(Arguments.of(act, n));
      }
    }
    return cases.stream();
  }

  /** Wide inputs, near-zero inputs (relative accuracy of expm1-style formulas), and exact zeros. */
  private static float[][] activationInputs(Random rnd, int off, int n) {
    float[] wide = random(rnd, off, n, -9f, 9f);
    float[] narrow = random(rnd, off, n, -1e-3f, 1e-3f);
    float[] withZeros = random(rnd, off, n, -2f, 2f);
    for (int i = 0; i < n; i += 3) {
      withZeros[off + i] = (i % 2 == 0) ? 0f : -0f;
    }
    return new float[][] {wide, narrow, withZeros};
  }

  @ParameterizedTest(name = "{0} n={1}")
  @MethodSource("activationCases")
  void activationForwardMatchesScalar(Activation act, int n) {
    Random rnd = new Random(n * 101L + act.name().hashCode());
    int xOff = 1;
    int yOff = 6;
    for (float[] x : activationInputs(rnd, xOff, n)) {
      float[] expected = filled(yOff, n, Float.NaN);
      float[] actual = filled(yOff, n, Float.NaN);
      act.forward().apply(SCALAR, n, x, xOff, expected, yOff);
      act.forward().apply(vector, n, x, xOff, actual, yOff);
      assertClose(expected, yOff, actual, yOff, n, 1e-5, 1e-7, act + " forward");
      assertGuardsIntact(actual, yOff, n, act + " forward");
    }
  }

  @ParameterizedTest(name = "{0} n={1}")
  @MethodSource("activationCases")
  void activationBackwardMatchesScalar(Activation act, int n) {
    Random rnd = new Random(n * 103L + act.name().hashCode());
    int xOff = 2;
    int yOff = 5;
    int dyOff = 11;
    int dxOff = 3;
    for (float[] x : activationInputs(rnd, xOff, n)) {
      float[] y = filled(yOff, n, 0f);
      act.forward().apply(SCALAR, n, x, xOff, y, yOff);
      float[] dy = random(rnd, dyOff, n, -2f, 2f);
      float[] expected = filled(dxOff, n, Float.NaN);
      float[] actual = filled(dxOff, n, Float.NaN);
      act.backward().apply(SCALAR, n, x, xOff, y, yOff, dy, dyOff, expected, dxOff);
      act.backward().apply(vector, n, x, xOff, y, yOff, dy, dyOff, actual, dxOff);
      assertClose(expected, dxOff, actual, dxOff, n, 1e-5, 1e-7, act + " backward");
      assertGuardsIntact(actual, dxOff, n, act + " backward");
    }
  }

  /**
   * A sample's activations do not depend on where it lies in a batch: each row of a 3-row batch
   * (37 and 5 wide: a vector tail, and a whole row narrower than a vector) gets the same bits as
   * the row alone, forward and backward. The tail past the last full vector takes the same
   * operations as a lane (before, the scalar twin's double-precision functions gave another last
   * bit to 513-2,901 of 22,200 such elements, depending on the activation).
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("activations")
  void aRowGetsTheSameBitsAloneAsInABatch(Activation act) {
    Random rnd = new Random(act.name().hashCode());
    for (int width : new int[] {37, 5}) {
      int rows = 3;
      int n = rows * width;
      float[] x = random(rnd, 0, n, -6f, 6f);
      float[] y = new float[n];
      act.forward().apply(vector, n, x, 0, y, 0);
      float[] dy = random(rnd, 0, n, -2f, 2f);
      float[] dx = new float[n];
      act.backward().apply(vector, n, x, 0, y, 0, dy, 0, dx, 0);
      for (int r = 0; r < rows; r++) {
        int at = r * width;
        float[] alone = new float[width];
        act.forward().apply(vector, width, x, at, alone, 0);
        float[] aloneGrad = new float[width];
        act.backward().apply(vector, width, x, at, y, at, dy, at, aloneGrad, 0);
        for (int j = 0; j < width; j++) {
          assertEquals(Float.floatToRawIntBits(y[at + j]), Float.floatToRawIntBits(alone[j]),
              act + " forward, width " + width + ", row " + r + ", column " + j);
          assertEquals(Float.floatToRawIntBits(dx[at + j]), Float.floatToRawIntBits(aloneGrad[j]),
              act + " backward, width " + width + ", row " + r + ", column " + j);
        }
      }
    }
  }

  /**
   * The tail's scalar lane methods against the lanes themselves, element by element, over every
   * range the formulas switch at: each value once in a vector lane (a range of whole vectors) and
   * once alone (a range of one: all tail). Signed zeros, the series bounds (expm1's 0.3465,
   * tanh's 0.625), exp's clamps, overflow, subnormal results, infinities and NaN.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("activations")
  void aTailElementGetsItsLanesBits(Activation act) {
    List<Float> values = new ArrayList<>(List.of(0f, -0f, 0.3465f, -0.3465f, 0.34649998f, 0.625f, -0.625f,
        0.62499994f, 89f, -89f, 104f, -104f, 44f, -44f, 13.5f, -13.5f, 1e-30f, -1e-30f, Float.MIN_VALUE,
        Float.MAX_VALUE, -Float.MAX_VALUE, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN));
    Random rnd = new Random(act.name().hashCode());
    for (int i = 0; i < 4000; i++) {
      values.add((float) (rnd.nextGaussian() * (i % 4 == 0 ? 40 : 3)));
    }
    while (values.size() % 64 != 0) {
      values.add((float) rnd.nextGaussian());
    }
    int n = values.size();
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = values.get(i);
    }
    float[] dy = random(rnd, 0, n, -2f, 2f);
    float[] y = new float[n];
    float[] dx = new float[n];
    act.forward().apply(vector, n, x, 0, y, 0);
    act.backward().apply(vector, n, x, 0, y, 0, dy, 0, dx, 0);
    float[] one = new float[1];
    float[] oneGrad = new float[1];
    for (int i = 0; i < n; i++) {
      act.forward().apply(vector, 1, x, i, one, 0);
      act.backward().apply(vector, 1, x, i, y, i, dy, i, oneGrad, 0);
      assertSameBits(y[i], one[0], act + " forward at x = " + x[i]);
      assertSameBits(dx[i], oneGrad[0], act + " backward at x = " + x[i]);
    }
  }

  /** Equal bits, any NaN equal to any NaN (lane and scalar operations may set a NaN's sign differently). */
  private static void assertSameBits(float expected, float actual, String what) {
    if (Float.isNaN(expected) || Float.isNaN(actual)) {
      assertEquals(Float.isNaN(expected), Float.isNaN(actual), what + ": " + expected + " against " + actual);
    } else {
      assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(actual),
          what + ": " + expected + " against " + actual);
    }
  }

  static Stream<Arguments> activations() {
    return KernelTestSupport.ACTIVATIONS.stream().map(Arguments::of);
  }

  /**
   * The scalar exponential (softmax's narrow rows and row tails) gives the vector lanes' bits over
   * the whole float range: both clamps, results that underflow to subnormals and zero, overflow,
   * signed zeros, NaN and infinities; and stays within 2 ulp of Math.exp where the result is normal.
   */
  @Test
  void scalarExpGivesTheVectorLanesBits() {
    List<Float> inputs = new ArrayList<>(List.of(Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY,
        0f, -0f, -104f, 89f, -103.97f, -87.5f, 88.72f, 88.73f, Float.MIN_VALUE, -Float.MIN_VALUE, 1e-30f));
    for (float z = -110f; z <= 95f; z += 0.0137f) {
      inputs.add(z);
    }
    Random rnd = new Random(17);
    for (int i = 0; i < 20_000; i++) {
      inputs.add(Float.intBitsToFloat(rnd.nextInt()));
    }
    int n = inputs.size();
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = inputs.get(i);
    }
    int bound = n / 16 * 16; // a multiple of every lane count
    float[] lanes = new float[n];
    VectorElementwise.exponentiate(bound, x, 0, 1f, 0f, lanes, 0);
    for (int i = 0; i < bound; i++) {
      float scalar = FloatMath.exp(x[i]);
      assertEquals(Float.floatToRawIntBits(lanes[i]), Float.floatToRawIntBits(scalar), "e^" + x[i]);
      double exact = Math.exp(x[i]);
      if (Float.isFinite(x[i]) && exact >= Float.MIN_NORMAL && exact <= Float.MAX_VALUE) {
        assertEquals(exact, scalar, 2 * Math.ulp((float) exact), "e^" + x[i] + " against Math.exp");
      }
    }
  }

  // ---------------------------------------------------------------- softmax

  static Stream<Arguments> softmaxCases() {
    List<Arguments> cases = new ArrayList<>();
    int[][] shapes = {{1, 1}, {3, 7}, {2, 16}, {4, 17}, {5, 33}, {2, 100}, {1, 257}, {64, 10}, {0, 5}};
    for (int[] s : shapes) {
      for (float invT : new float[] {1f, 0.5f, 2f}) {
        cases.add(Arguments.of(s[0], s[1], invT));
      }
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "rows={0} cols={1} invT={2}")
  @MethodSource("softmaxCases")
  void softmaxMatchesScalar(int rows, int cols, float invT) {
    Random rnd = new Random(rows * 977L + cols);
    int n = rows * cols;
    float[] x = random(rnd, 4, n, -10f, 10f);
    float[] expected = filled(8, n, Float.NaN);
    float[] actual = filled(8, n, Float.NaN);
    SCALAR.softmax(rows, cols, invT, x, 4, expected, 8);
    vector.softmax(rows, cols, invT, x, 4, actual, 8);
    assertClose(expected, 8, actual, 8, n, 1e-5, 1e-9, "softmax");
    assertGuardsIntact(actual, 8, n, "softmax");

    float[] dy = random(rnd, 3, n, -1f, 1f);
    float[] dxExpected = filled(10, n, Float.NaN);
    float[] dxActual = filled(10, n, Float.NaN);
    SCALAR.softmaxBackward(rows, cols, invT, expected, 8, dy, 3, dxExpected, 10);
    vector.softmaxBackward(rows, cols, invT, expected, 8, dy, 3, dxActual, 10);
    // dy - rowsum(dy * y) cancels; the scalar twin sums in double, so allow float rounding of the sum
    assertClose(dxExpected, 10, dxActual, 10, n, 1e-5, 1e-6 * invT, "softmaxBackward");
    assertGuardsIntact(dxActual, 10, n, "softmaxBackward");
  }

  /**
   * Rows narrower than a vector, in blocks large enough for the vector pass across rows (from the
   * first call, or once its gate has opened: opened here), give the scalar twin's bits (which a
   * sample alone, in a block too small for it, gets): the block's tail past the last vector, logits
   * far apart (exponentials that underflow to 0), infinities and NaN rows, and in place.
   */
  @ParameterizedTest(name = "rows={0} cols={1}")
  @MethodSource("narrowSoftmaxShapes")
  void narrowRowsInABlockGetTheScalarBits(int rows, int cols) {
    assumeTrue(cols < VectorGemm.S.length() && cols >= 2);
    VectorElementwise.NARROW_SOFTMAX.openNow();
    Random rnd = new Random(rows * 31L + cols);
    int n = rows * cols;
    float[] x = random(rnd, 4, n, -30f, 30f);
    x[4 + 3] = -200f; // e^-230: 0
    x[4 + cols] = Float.POSITIVE_INFINITY; // row 1: its maximum infinite, NaN after inf - inf
    x[4 + 2 * cols + 1] = Float.NEGATIVE_INFINITY;
    x[4 + 3 * cols] = Float.NaN;
    x[4 + n - 1] = 88f; // in the tail when n is not a multiple of the vector length
    for (float invT : new float[] {1f, 0.37f}) {
      float[] expected = filled(8, n, Float.NaN);
      float[] actual = filled(8, n, Float.NaN);
      SCALAR.softmax(rows, cols, invT, x, 4, expected, 8);
      vector.softmax(rows, cols, invT, x, 4, actual, 8);
      for (int i = 0; i < n; i++) {
        assertEquals(Float.floatToRawIntBits(expected[8 + i]), Float.floatToRawIntBits(actual[8 + i]),
            "element " + i + " (row " + i / cols + ") at invT " + invT);
      }
      assertGuardsIntact(actual, 8, n, "softmax");
      float[] inPlace = x.clone();
      vector.softmax(rows, cols, invT, inPlace, 4, inPlace, 4);
      for (int i = 0; i < n; i++) {
        assertEquals(Float.floatToRawIntBits(expected[8 + i]), Float.floatToRawIntBits(inPlace[4 + i]),
            "in place, element " + i);
      }
    }
  }

  static Stream<Arguments> narrowSoftmaxShapes() {
    // Fashion's 10 classes at W3's and W1's batches, Iris's 3 in a larger block, odd shapes whose
    // block ends inside a vector.
    // Below NARROW_SOFTMAX_MIN_VALUES, behind the gate: Iris's 120 x 3, a 24 x 10 block, odd ones.
    return Stream.of(Arguments.of(256, 10), Arguments.of(64, 10), Arguments.of(200, 3), Arguments.of(41, 13),
        Arguments.of(103, 5), Arguments.of(37, 15), Arguments.of(120, 3), Arguments.of(24, 10),
        Arguments.of(13, 5), Arguments.of(22, 3), Arguments.of(7, 9));
  }

  // ---------------------------------------------------------------- aliasing

  /**
   * Kernels that write their output before reading all of their input (exponentiation passes)
   * refuse overlapping input and output regions rather than compute from their own partial results;
   * distinct regions of one array are fine.
   */
  @Test
  void multiPassKernelsRefuseOverlappingRegions() {
    float[] v = random(new Random(2), 0, 200, -2f, 2f);
    IllegalArgumentException inPlace = assertThrows(IllegalArgumentException.class,
        () -> vector.elu(64, 1f, v, 0, v, 0));
    assertEquals("elu: input [0, 64) and output [0, 64) overlap in one array", inPlace.getMessage());
    assertThrows(IllegalArgumentException.class, () -> vector.tanh(64, v, 0, v, 63));
    assertThrows(IllegalArgumentException.class, () -> vector.gelu(64, v, 10, v, 0));
    IllegalArgumentException gradient = assertThrows(IllegalArgumentException.class,
        () -> vector.swishBackward(64, v, 0, v, 0, v, 100, v, 100));
    assertEquals("swishBackward: input [100, 164) and output [100, 164) overlap in one array", gradient.getMessage());
    float[] expected = new float[64];
    SCALAR.tanh(64, v, 0, expected, 0);
    vector.tanh(64, v, 0, v, 64); // adjacent, not overlapping
    for (int i = 0; i < 64; i++) {
      assertEquals(expected[i], v[64 + i], 1e-6f * Math.max(1f, Math.abs(expected[i])), "tanh at " + i);
    }
  }

  // ---------------------------------------------------------------- identity

  @Test
  void describesItsLanes() {
    assertTrue(vector.description().startsWith("Vector API, "), vector.description());
    assertEquals(VectorElementwise.class, vector.getClass());
  }
}
