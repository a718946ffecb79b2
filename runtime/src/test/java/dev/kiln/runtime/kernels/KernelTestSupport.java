package dev.kiln.runtime.kernels;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.Random;

/**
 * Shared helpers for the kernel tests: padded random arrays whose padding is a sentinel, so a
 * kernel that writes outside its region is caught, and tolerance comparisons that name the first
 * bad element.
 */
final class KernelTestSupport {

  /** Elements of sentinel padding before and after every region. */
  static final int GUARD = 19;
  /** Value of the padding; a kernel that reads it would also turn results into NaN. */
  static final float SENTINEL = Float.NaN;

  private KernelTestSupport() {}

  /** An array holding {@code n} uniform values in [lo, hi) at offset {@code off}, sentinel elsewhere. */
  static float[] random(Random rnd, int off, int n, float lo, float hi) {
    float[] a = new float[off + n + GUARD];
    java.util.Arrays.fill(a, SENTINEL);
    for (int i = 0; i < n; i++) {
      a[off + i] = lo + (hi - lo) * rnd.nextFloat();
    }
    return a;
  }

  /** An array of {@code n} copies of {@code value} at {@code off}, sentinel elsewhere. */
  static float[] filled(int off, int n, float value) {
    float[] a = new float[off + n + GUARD];
    java.util.Arrays.fill(a, SENTINEL);
    java.util.Arrays.fill(a, off, off + n, value);
    return a;
  }

  /** A padded copy of {@code values} placed at {@code off}. */
  static float[] placed(int off, float[] values) {
    float[] a = filled(off, values.length, 0f);
    System.arraycopy(values, 0, a, off, values.length);
    return a;
  }

  /** Fails unless every element outside {@code [off, off + n)} is still the sentinel. */
  static void assertGuardsIntact(float[] a, int off, int n, String what) {
    for (int i = 0; i < a.length; i++) {
      if ((i < off || i >= off + n) && !Float.isNaN(a[i])) {
        fail(what + ": wrote outside its region at index " + i + " (region " + off + ".." + (off + n) + ")");
      }
    }
  }

  /**
   * Fails unless {@code |actual - expected| <= rel * |expected| + abs} for each of the {@code n}
   * elements (expected at {@code eOff}, actual at {@code aOff}); NaN never passes.
   */
  static void assertClose(float[] expected, int eOff, float[] actual, int aOff, int n,
      double rel, double abs, String what) {
    for (int i = 0; i < n; i++) {
      double e = expected[eOff + i];
      double a = actual[aOff + i];
      if (!(Math.abs(a - e) <= rel * Math.abs(e) + abs)) {
        fail(what + ": element " + i + " of " + n + " expected " + e + " but was " + a
            + " (diff " + Math.abs(a - e) + ", allowed " + (rel * Math.abs(e) + abs) + ")");
      }
    }
  }

  /** As {@link #assertClose(float[], int, float[], int, int, double, double, String)} with a double reference. */
  static void assertClose(double[] expected, float[] actual, int aOff, double rel, double abs,
      String what) {
    for (int i = 0; i < expected.length; i++) {
      double e = expected[i];
      double a = actual[aOff + i];
      if (!(Math.abs(a - e) <= rel * Math.abs(e) + abs)) {
        fail(what + ": element " + i + " of " + expected.length + " expected " + e + " but was " + a
            + " (diff " + Math.abs(a - e) + ", allowed " + (rel * Math.abs(e) + abs) + ")");
      }
    }
  }

  // ---------------------------------------------------------------- the activations, as data

  /** A forward activation kernel, so tests can loop over all of them. */
  interface Forward {
    void apply(Elementwise kernels, int n, float[] x, int xOff, float[] y, int yOff);
  }

  /** A backward activation kernel. */
  interface Backward {
    void apply(Elementwise kernels, int n, float[] x, int xOff, float[] y, int yOff, float[] dy,
        int dyOff, float[] dx, int dxOff);
  }

  /** One activation and its derivative kernel. */
  record Activation(String name, Forward forward, Backward backward) {
    @Override
    public String toString() {
      return name;
    }
  }

  static final java.util.List<Activation> ACTIVATIONS = java.util.List.of(
      new Activation("relu", Elementwise::relu, Elementwise::reluBackward),
      new Activation("leakyRelu(0.2)",
          (k, n, x, xo, y, yo) -> k.leakyRelu(n, 0.2f, x, xo, y, yo),
          (k, n, x, xo, y, yo, g, go, d, dO) -> k.leakyReluBackward(n, 0.2f, x, xo, y, yo, g, go, d, dO)),
      new Activation("leakyRelu(0.01)",
          (k, n, x, xo, y, yo) -> k.leakyRelu(n, 0.01f, x, xo, y, yo),
          (k, n, x, xo, y, yo, g, go, d, dO) -> k.leakyReluBackward(n, 0.01f, x, xo, y, yo, g, go, d, dO)),
      new Activation("elu(1.0)",
          (k, n, x, xo, y, yo) -> k.elu(n, 1.0f, x, xo, y, yo),
          (k, n, x, xo, y, yo, g, go, d, dO) -> k.eluBackward(n, 1.0f, x, xo, y, yo, g, go, d, dO)),
      new Activation("elu(0.7)",
          (k, n, x, xo, y, yo) -> k.elu(n, 0.7f, x, xo, y, yo),
          (k, n, x, xo, y, yo, g, go, d, dO) -> k.eluBackward(n, 0.7f, x, xo, y, yo, g, go, d, dO)),
      new Activation("selu", Elementwise::selu, Elementwise::seluBackward),
      new Activation("sigmoid", Elementwise::sigmoid, Elementwise::sigmoidBackward),
      new Activation("tanh", Elementwise::tanh, Elementwise::tanhBackward),
      new Activation("swish", Elementwise::swish, Elementwise::swishBackward),
      new Activation("gelu", Elementwise::gelu, Elementwise::geluBackward),
      new Activation("geluTanh", Elementwise::geluTanh, Elementwise::geluTanhBackward));

  /** The activation named {@code name}. */
  static Activation activation(String name) {
    return ACTIVATIONS.stream().filter(a -> a.name().equals(name)).findFirst().orElseThrow();
  }
}
