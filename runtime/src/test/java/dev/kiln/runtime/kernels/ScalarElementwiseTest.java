package dev.kiln.runtime.kernels;

import static dev.kiln.runtime.kernels.KernelTestSupport.assertClose;
import static dev.kiln.runtime.kernels.KernelTestSupport.assertGuardsIntact;
import static dev.kiln.runtime.kernels.KernelTestSupport.filled;
import static dev.kiln.runtime.kernels.KernelTestSupport.placed;
import static dev.kiln.runtime.kernels.KernelTestSupport.random;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import java.util.function.DoubleUnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The scalar element-wise kernels against math written out independently in double: hand sums,
 * closed forms for the activations and their derivatives (with an erf of its own), and central
 * differences of those closed forms. The vector kernels are then tested against these, so this is
 * where correctness is anchored.
 */
class ScalarElementwiseTest {

  private static final Elementwise SCALAR = KernelSelector.scalarElementwise();

  // ---------------------------------------------------------------- sums, copies, bias

  @Test
  void addAndAccumulateMatchHandSums() {
    float[] a = placed(2, new float[] {1, -2, 3.5f, 1e-3f, -0f});
    float[] b = placed(1, new float[] {10, 20, -3.5f, 1e3f, 0f});
    float[] c = filled(3, 5, Float.NaN);
    SCALAR.add(5, a, 2, b, 1, c, 3);
    assertClose(new double[] {11, 18, 0, 1e3f + 1e-3f, 0}, c, 3, 0, 0, "add");
    assertGuardsIntact(c, 3, 5, "add");
    // c may be a itself
    SCALAR.add(5, a, 2, b, 1, a, 2);
    assertClose(new double[] {11, 18, 0, 1e3f + 1e-3f, 0}, a, 2, 0, 0, "add in place");
    assertGuardsIntact(a, 2, 5, "add in place");
    SCALAR.accumulate(5, b, 1, c, 3);
    assertClose(new double[] {21, 38, -3.5f, (1e3f + 1e-3f) + 1e3f, 0}, c, 3, 0, 0, "accumulate");
    assertGuardsIntact(c, 3, 5, "accumulate");
  }

  @Test
  void copyBlockCopiesAStridedBlock() {
    // src: 3 rows of stride 5 at offset 1; copy the 3 x 2 block starting at column 2
    float[] src = placed(1, new float[] {0, 1, 2, 3, 4, 10, 11, 12, 13, 14, 20, 21, 22, 23, 24});
    // dst: 3 rows of stride 4 at offset 2; write into columns 1..2, leave the rest untouched
    float[] dst = placed(2, new float[] {-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1});
    SCALAR.copyBlock(3, 2, src, 1 + 2, 5, dst, 2 + 1, 4);
    assertClose(new double[] {-1, 2, 3, -1, -1, 12, 13, -1, -1, 22, 23, -1}, dst, 2, 0, 0, "copyBlock");
    assertGuardsIntact(dst, 2, 12, "copyBlock");
  }

  @Test
  void biasHelpersMatchHandSums() {
    float[] x = placed(1, new float[] {1, 2, 3, 4, 5, 6});
    float[] v = placed(2, new float[] {10, 20, 30});
    SCALAR.addRowVector(2, 3, v, 2, x, 1);
    assertClose(new double[] {11, 22, 33, 14, 25, 36}, x, 1, 0, 0, "addRowVector");
    float[] out = placed(3, new float[] {100, 200, 300});
    SCALAR.sumColumns(2, 3, x, 1, out, 3, true);
    assertClose(new double[] {125, 247, 369}, out, 3, 0, 0, "sumColumns accumulate");
    SCALAR.sumColumns(2, 3, x, 1, out, 3, false);
    assertClose(new double[] {25, 47, 69}, out, 3, 0, 0, "sumColumns overwrite");
  }

  // ---------------------------------------------------------------- activations, closed forms

  /** An activation in double: the function and its derivative, written from the textbook. */
  record Formula(String kernel, DoubleUnaryOperator f, DoubleUnaryOperator df, boolean kinkAtZero) {
    @Override
    public String toString() {
      return kernel;
    }
  }

  private static final double SCALE = 1.0507009873554805;
  private static final double ALPHA = 1.6732632423543772;
  private static final double C = Math.sqrt(2 / Math.PI);

  private static double sigmoid(double x) {
    return 1 / (1 + Math.exp(-x));
  }

  /** erf by its Maclaurin series (|z| < 3) or continued fraction for erfc: independent of Gaussian. */
  static double erf(double z) {
    double az = Math.abs(z);
    double r;
    if (az < 3) {
      // erf z = 2/sqrt(pi) exp(-z^2) sum 2^n z^(2n+1) / (1 3 5 ... (2n+1)); all terms positive.
      double term = az;
      double sum = az;
      for (int n = 1; n < 200 && term > 1e-18 * sum; n++) {
        term *= 2 * az * az / (2 * n + 1);
        sum += term;
      }
      r = 2 / Math.sqrt(Math.PI) * Math.exp(-az * az) * sum;
    } else {
      // erfc z = exp(-z^2)/sqrt(pi) * 1/(z + 1/2/(z + 1/(z + 3/2/(z + ...)))), evaluated bottom-up.
      double frac = az;
      for (int n = 60; n >= 1; n--) {
        frac = az + (n / 2.0) / frac;
      }
      r = 1 - Math.exp(-az * az) / Math.sqrt(Math.PI) / frac;
    }
    return z < 0 ? -r : r;
  }

  /** Phi(x) = (1 + erf(x / sqrt 2)) / 2, through erfc on the left so the tail keeps its digits. */
  private static double phiCdf(double x) {
    double z = x / Math.sqrt(2);
    return x < 0 ? 0.5 * erfc(-z) : 1 - 0.5 * erfc(z);
  }

  private static double phiPdf(double x) {
    return Math.exp(-x * x / 2) / Math.sqrt(2 * Math.PI);
  }

  static final Formula[] FORMULAS = {
      new Formula("relu", x -> x > 0 ? x : 0, x -> x > 0 ? 1 : 0, true),
      new Formula("leakyRelu(0.2)", x -> x > 0 ? x : 0.2 * x, x -> x > 0 ? 1 : 0.2, true),
      new Formula("leakyRelu(0.01)", x -> x > 0 ? x : 0.01 * x, x -> x > 0 ? 1 : 0.01, true),
      new Formula("elu(1.0)", x -> x > 0 ? x : Math.exp(x) - 1, x -> x > 0 ? 1 : Math.exp(x), true),
      new Formula("elu(0.7)", x -> x > 0 ? x : 0.7 * (Math.exp(x) - 1), x -> x > 0 ? 1 : 0.7 * Math.exp(x), true),
      new Formula("selu", x -> SCALE * (x > 0 ? x : ALPHA * (Math.exp(x) - 1)),
          x -> SCALE * (x > 0 ? 1 : ALPHA * Math.exp(x)), true),
      new Formula("sigmoid", ScalarElementwiseTest::sigmoid, x -> sigmoid(x) * (1 - sigmoid(x)), false),
      new Formula("tanh", Math::tanh, x -> 1 - Math.tanh(x) * Math.tanh(x), false),
      new Formula("swish", x -> x * sigmoid(x),
          x -> sigmoid(x) + x * sigmoid(x) * (1 - sigmoid(x)), false),
      new Formula("gelu", x -> x * phiCdf(x), x -> phiCdf(x) + x * phiPdf(x), false),
      new Formula("geluTanh",
          x -> 0.5 * x * (1 + Math.tanh(C * (x + 0.044715 * x * x * x))),
          x -> {
            double t = Math.tanh(C * (x + 0.044715 * x * x * x));
            return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * C * (1 + 3 * 0.044715 * x * x);
          }, false),
  };

  static Stream<Formula> formulas() {
    return Stream.of(FORMULAS);
  }

  /** Points on both sides of 0, in the saturating tails, and at the kink itself. */
  private static final float[] POINTS = {-12f, -8.5f, -5f, -3.25f, -2f, -1.1f, -0.5f, -0.03f,
      -1e-4f, -0f, 0f, 1e-4f, 0.03f, 0.5f, 1.1f, 2f, 3.25f, 5f, 8.5f, 12f};

  @ParameterizedTest(name = "{0}")
  @MethodSource("formulas")
  void activationMatchesClosedForm(Formula formula) {
    KernelTestSupport.Activation act = KernelTestSupport.activation(formula.kernel());
    int n = POINTS.length;
    float[] x = placed(2, POINTS);
    float[] y = filled(4, n, Float.NaN);
    act.forward().apply(SCALAR, n, x, 2, y, 4);
    double[] expectedY = new double[n];
    for (int i = 0; i < n; i++) {
      expectedY[i] = formula.f().applyAsDouble(POINTS[i]);
    }
    assertClose(expectedY, y, 4, 2e-6, 1e-12, formula + " forward");
    assertGuardsIntact(y, 4, n, formula + " forward");

    float[] dy = placed(1, new float[n]);
    Random rnd = new Random(formula.kernel().hashCode());
    for (int i = 0; i < n; i++) {
      dy[1 + i] = -2f + 4f * rnd.nextFloat();
    }
    float[] dx = filled(3, n, Float.NaN);
    act.backward().apply(SCALAR, n, x, 2, y, 4, dy, 1, dx, 3);
    double[] expectedDx = new double[n];
    for (int i = 0; i < n; i++) {
      expectedDx[i] = dy[1 + i] * formula.df().applyAsDouble(POINTS[i]);
    }
    // sigmoid' and tanh' are computed from the rounded forward output, as in PyTorch; 1 - y
    // then carries y's rounding error (~6e-8) as an absolute error.
    assertClose(expectedDx, dx, 3, 1e-5, 2e-7, formula + " backward");
    assertGuardsIntact(dx, 3, n, formula + " backward");
  }

  @Test
  void kinkConventionsFollowPyTorch() {
    float[] x = placed(0, new float[] {0f, -0f});
    float[] y = filled(0, 2, 0f);
    float[] dy = placed(0, new float[] {1f, 1f});
    float[] dx = filled(0, 2, Float.NaN);
    SCALAR.reluBackward(2, x, 0, y, 0, dy, 0, dx, 0);
    assertClose(new double[] {0, 0}, dx, 0, 0, 0, "relu'(0) = 0");
    SCALAR.leakyReluBackward(2, 0.2f, x, 0, y, 0, dy, 0, dx, 0);
    assertClose(new double[] {0.2f, 0.2f}, dx, 0, 0, 0, "leakyRelu'(0) = alpha");
    SCALAR.eluBackward(2, 0.7f, x, 0, y, 0, dy, 0, dx, 0);
    assertClose(new double[] {0.7f, 0.7f}, dx, 0, 1e-7, 0, "elu'(0) = alpha");
  }

  /** Points away from every kink, where a central difference is accurate. */
  private static final double[] SMOOTH_POINTS = {-3.1, -1.3, -0.4, 0.27, 0.9, 2.2, 4.5};

  @ParameterizedTest(name = "{0}")
  @MethodSource("formulas")
  void derivativeMatchesCentralDifference(Formula formula) {
    KernelTestSupport.Activation act = KernelTestSupport.activation(formula.kernel());
    double h = 1e-5;
    int n = SMOOTH_POINTS.length;
    float[] x = filled(0, n, 0f);
    double[] numeric = new double[n];
    for (int i = 0; i < n; i++) {
      x[i] = (float) SMOOTH_POINTS[i];
      double xi = x[i];
      numeric[i] = (formula.f().applyAsDouble(xi + h) - formula.f().applyAsDouble(xi - h)) / (2 * h);
      // the test's own closed-form derivative agrees with the difference quotient
      assertEquals(numeric[i], formula.df().applyAsDouble(xi), 1e-8 * (1 + Math.abs(numeric[i])),
          formula + " closed-form derivative at " + xi);
    }
    float[] y = filled(0, n, 0f);
    act.forward().apply(SCALAR, n, x, 0, y, 0);
    float[] ones = filled(0, n, 1f);
    float[] dx = filled(0, n, Float.NaN);
    act.backward().apply(SCALAR, n, x, 0, y, 0, ones, 0, dx, 0);
    assertClose(numeric, dx, 0, 1e-5, 2e-7, formula + " kernel derivative vs central difference");
  }

  @Test
  void erfReferencesAgree() {
    for (double z = -6; z <= 6; z += 0.01) {
      assertEquals(erf(z), Gaussian.erf(z), 1e-8, "erf(" + z + ")");
    }
    // relative accuracy of the tail, which GELU of negative inputs depends on
    for (double x = -12; x < 0; x += 0.05) {
      double reference = 0.5 * erfc(-x / Math.sqrt(2));
      assertEquals(1.0, Gaussian.cdf(x) / reference, 1e-7, "Phi(" + x + ") relative");
    }
  }

  private static double erfc(double z) {
    if (z < 3) {
      return 1 - erf(z);
    }
    double frac = z;
    for (int n = 80; n >= 1; n--) {
      frac = z + (n / 2.0) / frac;
    }
    return Math.exp(-z * z) / Math.sqrt(Math.PI) / frac;
  }

  // ---------------------------------------------------------------- softmax

  @Test
  void softmaxMatchesClosedFormAndItsGradient() {
    int rows = 3;
    int cols = 5;
    Random rnd = new Random(42);
    for (float invT : new float[] {1f, 0.5f, 2f}) {
      float[] x = random(rnd, 2, rows * cols, -4f, 4f);
      float[] y = filled(1, rows * cols, Float.NaN);
      SCALAR.softmax(rows, cols, invT, x, 2, y, 1);
      double[] expected = new double[rows * cols];
      for (int r = 0; r < rows; r++) {
        double[] row = softmaxRow(x, 2 + r * cols, cols, invT, -1, 0);
        System.arraycopy(row, 0, expected, r * cols, cols);
      }
      // float rounding of x * invT - max (up to ~1e-6 absolute in the exponent) bounds the match
      assertClose(expected, y, 1, 5e-6, 1e-9, "softmax invT=" + invT);
      assertGuardsIntact(y, 1, rows * cols, "softmax");

      // dx of L = sum(dy * softmax(x * invT)) by central differences in double
      float[] dy = random(rnd, 3, rows * cols, -1f, 1f);
      float[] dx = filled(4, rows * cols, Float.NaN);
      SCALAR.softmaxBackward(rows, cols, invT, y, 1, dy, 3, dx, 4);
      double[] numeric = new double[rows * cols];
      double h = 1e-6;
      for (int r = 0; r < rows; r++) {
        for (int j = 0; j < cols; j++) {
          double up = dot(dy, 3 + r * cols, softmaxRow(x, 2 + r * cols, cols, invT, j, h));
          double down = dot(dy, 3 + r * cols, softmaxRow(x, 2 + r * cols, cols, invT, j, -h));
          numeric[r * cols + j] = (up - down) / (2 * h);
        }
      }
      assertClose(numeric, dx, 4, 1e-5, 1e-6, "softmaxBackward invT=" + invT);
      assertGuardsIntact(dx, 4, rows * cols, "softmaxBackward");
    }
  }

  /** Softmax of one row in double, with element {@code bump} moved by {@code h}. */
  private static double[] softmaxRow(float[] x, int off, int cols, double invT, int bump, double h) {
    double[] z = new double[cols];
    double max = Double.NEGATIVE_INFINITY;
    for (int j = 0; j < cols; j++) {
      z[j] = (x[off + j] + (j == bump ? h : 0)) * invT;
      max = Math.max(max, z[j]);
    }
    double sum = 0;
    for (int j = 0; j < cols; j++) {
      z[j] = Math.exp(z[j] - max);
      sum += z[j];
    }
    for (int j = 0; j < cols; j++) {
      z[j] /= sum;
    }
    return z;
  }

  private static double dot(float[] a, int off, double[] b) {
    double s = 0;
    for (int j = 0; j < b.length; j++) {
      s += a[off + j] * b[j];
    }
    return s;
  }
}
