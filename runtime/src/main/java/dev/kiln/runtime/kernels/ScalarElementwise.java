package dev.kiln.runtime.kernels;

/**
 * Plain-Java element-wise kernels: the reference that {@link VectorElementwise} is tested
 * against, and the fallback when {@code jdk.incubator.vector} is not in the module graph.
 *
 * <p>Why it looks like this: it must be obviously correct first and reasonable second. Loops
 * are simple enough for C2 to auto-vectorize where it can, and transcendentals are evaluated in
 * double and rounded once.
 */
final class ScalarElementwise implements Elementwise {

  /** No vector twins. */
  @Override
  public void compileVectorTwins() {
  }

  private static final double SELU_SCALE_D = 1.0507009873554805;
  private static final double SELU_ALPHA_D = 1.6732632423543772;
  private static final double SQRT_2_OVER_PI = 0.79788456080286535588;
  private static final double GELU_TANH_C = 0.044715;

  ScalarElementwise() {}

  @Override
  public String description() {
    return "scalar";
  }

  // ---------------------------------------------------------------- sums and copies

  @Override
  public boolean allFinite(int n, float[] x, int xOff) {
    for (int i = xOff; i < xOff + n; i++) {
      if (!Float.isFinite(x[i])) {
        return false;
      }
    }
    return true;
  }

  @Override
  public void sumAbs2(int n, int offset, float[] a, float[] b, float[] out) {
    float sa = 0f;
    float sb = 0f;
    for (int i = offset; i < offset + n; i++) {
      sa += Math.abs(a[i]);
      sb += Math.abs(b[i]);
    }
    out[0] = sa;
    out[1] = sb;
  }

  @Override
  public void add(int n, float[] a, int aOff, float[] b, int bOff, float[] c, int cOff) {
    for (int i = 0; i < n; i++) {
      c[cOff + i] = a[aOff + i] + b[bOff + i];
    }
  }

  @Override
  public void accumulate(int n, float[] x, int xOff, float[] y, int yOff) {
    for (int i = 0; i < n; i++) {
      y[yOff + i] += x[xOff + i];
    }
  }

  @Override
  public void copyBlock(int rows, int cols, float[] src, int srcOff, int srcStride, float[] dst,
      int dstOff, int dstStride) {
    copyRows(rows, cols, src, srcOff, srcStride, dst, dstOff, dstStride);
  }

  /** The block copy both implementations use: {@code System.arraycopy} is already intrinsic. */
  static void copyRows(int rows, int cols, float[] src, int srcOff, int srcStride, float[] dst,
      int dstOff, int dstStride) {
    if (cols <= 0) {
      return;
    }
    for (int r = 0, s = srcOff, d = dstOff; r < rows; r++, s += srcStride, d += dstStride) {
      System.arraycopy(src, s, dst, d, cols);
    }
  }

  // ---------------------------------------------------------------- bias

  @Override
  public void addRowVector(int rows, int cols, float[] v, int vOff, float[] x, int xOff) {
    for (int r = 0; r < rows; r++) {
      int row = xOff + r * cols;
      for (int j = 0; j < cols; j++) {
        x[row + j] += v[vOff + j];
      }
    }
  }

  @Override
  public void sumColumns(int rows, int cols, float[] x, int xOff, float[] out, int outOff,
      boolean accumulate) {
    if (!accumulate) {
      java.util.Arrays.fill(out, outOff, outOff + cols, 0f);
    }
    for (int r = 0; r < rows; r++) {
      int row = xOff + r * cols;
      for (int j = 0; j < cols; j++) {
        out[outOff + j] += x[row + j];
      }
    }
  }

  // ---------------------------------------------------------------- activations, forward

  @Override
  public void relu(int n, float[] x, int xOff, float[] y, int yOff) {
    for (int i = 0; i < n; i++) {
      // Math.max, not v > 0 ? v : 0, which would turn NaN into 0.
      y[yOff + i] = Math.max(x[xOff + i], 0f);
    }
  }

  @Override
  public void leakyRelu(int n, float alpha, float[] x, int xOff, float[] y, int yOff) {
    for (int i = 0; i < n; i++) {
      float v = x[xOff + i];
      y[yOff + i] = v > 0f ? v : alpha * v;
    }
  }

  @Override
  public void elu(int n, float alpha, float[] x, int xOff, float[] y, int yOff) {
    for (int i = 0; i < n; i++) {
      float v = x[xOff + i];
      y[yOff + i] = v > 0f ? v : (float) (alpha * Math.expm1(v));
    }
  }

  @Override
  public void selu(int n, float[] x, int xOff, float[] y, int yOff) {
    for (int i = 0; i < n; i++) {
      double v = x[xOff + i];
      y[yOff + i] = (float) (v > 0 ? SELU_SCALE_D * v : SELU_SCALE_D * SELU_ALPHA_D * Math.expm1(v));
    }
  }

  @Override
  public void sigmoid(int n, float[] x, int xOff, float[] y, int yOff) {
    for (int i = 0; i < n; i++) {
      y[yOff + i] = (float) sigmoid(x[xOff + i]);
    }
  }

  @Override
  public void tanh(int n, float[] x, int xOff, float[] y, int yOff) {
    for (int i = 0; i < n; i++) {
      y[yOff + i] = (float) Math.tanh(x[xOff + i]);
    }
  }

  @Override
  public void swish(int n, float[] x, int xOff, float[] y, int yOff) {
    for (int i = 0; i < n; i++) {
      double v = x[xOff + i];
      y[yOff + i] = (float) (v * sigmoid(v));
    }
  }

  @Override
  public void gelu(int n, float[] x, int xOff, float[] y, int yOff) {
    for (int i = 0; i < n; i++) {
      double v = x[xOff + i];
      y[yOff + i] = (float) (v * Gaussian.cdf(v));
    }
  }

  @Override
  public void geluTanh(int n, float[] x, int xOff, float[] y, int yOff) {
    for (int i = 0; i < n; i++) {
      double v = x[xOff + i];
      // 0.5 (1 + tanh(u)) == sigmoid(2u): no cancellation for negative x.
      y[yOff + i] = (float) (v * sigmoid(2.0 * geluTanhArgument(v)));
    }
  }

  // ---------------------------------------------------------------- activations, backward

  @Override
  public void reluBackward(int n, float[] x, int xOff, float[] y, int yOff, float[] dy, int dyOff,
      float[] dx, int dxOff) {
    for (int i = 0; i < n; i++) {
      float v = x[xOff + i];
      // NaN x fails both comparisons and passes through as NaN.
      dx[dxOff + i] = v > 0f ? dy[dyOff + i] : v <= 0f ? 0f : v;
    }
  }

  @Override
  public void leakyReluBackward(int n, float alpha, float[] x, int xOff, float[] y, int yOff,
      float[] dy, int dyOff, float[] dx, int dxOff) {
    for (int i = 0; i < n; i++) {
      float v = x[xOff + i];
      float g = dy[dyOff + i];
      dx[dxOff + i] = v > 0f ? g : v <= 0f ? alpha * g : v; // NaN x passes through
    }
  }

  @Override
  public void eluBackward(int n, float alpha, float[] x, int xOff, float[] y, int yOff,
      float[] dy, int dyOff, float[] dx, int dxOff) {
    for (int i = 0; i < n; i++) {
      float v = x[xOff + i];
      float g = dy[dyOff + i];
      // alpha * exp(x) rather than y + alpha: the latter cancels for very negative x.
      dx[dxOff + i] = v > 0f ? g : (float) (alpha * Math.exp(v) * g);
    }
  }

  @Override
  public void seluBackward(int n, float[] x, int xOff, float[] y, int yOff, float[] dy, int dyOff,
      float[] dx, int dxOff) {
    for (int i = 0; i < n; i++) {
      double v = x[xOff + i];
      double g = dy[dyOff + i];
      dx[dxOff + i] = (float) (v > 0 ? SELU_SCALE_D * g : SELU_SCALE_D * SELU_ALPHA_D * Math.exp(v) * g);
    }
  }

  @Override
  public void sigmoidBackward(int n, float[] x, int xOff, float[] y, int yOff, float[] dy,
      int dyOff, float[] dx, int dxOff) {
    for (int i = 0; i < n; i++) {
      float s = y[yOff + i];
      dx[dxOff + i] = dy[dyOff + i] * s * (1f - s);
    }
  }

  @Override
  public void tanhBackward(int n, float[] x, int xOff, float[] y, int yOff, float[] dy, int dyOff,
      float[] dx, int dxOff) {
    for (int i = 0; i < n; i++) {
      float t = y[yOff + i];
      dx[dxOff + i] = dy[dyOff + i] * (1f - t * t);
    }
  }

  @Override
  public void swishBackward(int n, float[] x, int xOff, float[] y, int yOff, float[] dy, int dyOff,
      float[] dx, int dxOff) {
    for (int i = 0; i < n; i++) {
      double v = x[xOff + i];
      double s = sigmoid(v);
      dx[dxOff + i] = (float) (dy[dyOff + i] * (s + v * s * (1.0 - s)));
    }
  }

  @Override
  public void geluBackward(int n, float[] x, int xOff, float[] y, int yOff, float[] dy, int dyOff,
      float[] dx, int dxOff) {
    for (int i = 0; i < n; i++) {
      double v = x[xOff + i];
      dx[dxOff + i] = (float) (dy[dyOff + i] * (Gaussian.cdf(v) + v * Gaussian.pdf(v)));
    }
  }

  @Override
  public void geluTanhBackward(int n, float[] x, int xOff, float[] y, int yOff, float[] dy,
      int dyOff, float[] dx, int dxOff) {
    for (int i = 0; i < n; i++) {
      double v = x[xOff + i];
      // With s = sigmoid(2u) = (1 + tanh u) / 2:  0.5 (1 + tanh u) = s and 1 - tanh^2 u = 4 s (1 - s),
      // so d/dx [0.5 x (1 + tanh u)] = s + 2 x s (1 - s) u'.
      double s = sigmoid(2.0 * geluTanhArgument(v));
      double du = SQRT_2_OVER_PI * (1.0 + 3.0 * GELU_TANH_C * v * v);
      dx[dxOff + i] = (float) (dy[dyOff + i] * (s + 2.0 * v * s * (1.0 - s) * du));
    }
  }

  // ---------------------------------------------------------------- softmax

  @Override
  public void softmax(int rows, int cols, float invTemperature, float[] x, int xOff,
      float[] y, int yOff) {
    for (int r = 0; r < rows; r++) {
      int row = r * cols;
      float max = Float.NEGATIVE_INFINITY;
      for (int j = 0; j < cols; j++) {
        max = Math.max(max, x[xOff + row + j] * invTemperature);
      }
      // In float, as the vector kernels (see VectorElementwise.narrowSoftmax for why not double).
      float sum = 0;
      for (int j = 0; j < cols; j++) {
        // The vector kernel's exponential (Iris's 120 x 3 softmax: 2.85 -> 2.47 us).
        float e = FloatMath.exp(x[xOff + row + j] * invTemperature - max);
        y[yOff + row + j] = e;
        sum += e;
      }
      float inv = 1f / sum;
      for (int j = 0; j < cols; j++) {
        y[yOff + row + j] *= inv;
      }
    }
  }

  @Override
  public void softmaxBackward(int rows, int cols, float invTemperature, float[] y, int yOff,
      float[] dy, int dyOff, float[] dx, int dxOff) {
    for (int r = 0; r < rows; r++) {
      int row = r * cols;
      double dot = 0;
      for (int j = 0; j < cols; j++) {
        dot += (double) dy[dyOff + row + j] * y[yOff + row + j];
      }
      float d = (float) dot;
      for (int j = 0; j < cols; j++) {
        dx[dxOff + row + j] = invTemperature * y[yOff + row + j] * (dy[dyOff + row + j] - d);
      }
    }
  }

  // ---------------------------------------------------------------- helpers

  /** Logistic function; {@code exp} overflows to infinity for very negative x, giving 0, never NaN. */
  private static double sigmoid(double v) {
    return 1.0 / (1.0 + Math.exp(-v));
  }

  /** {@code u = sqrt(2/pi) (x + 0.044715 x^3)}. */
  private static double geluTanhArgument(double v) {
    return SQRT_2_OVER_PI * (v + GELU_TANH_C * v * v * v);
  }
}
