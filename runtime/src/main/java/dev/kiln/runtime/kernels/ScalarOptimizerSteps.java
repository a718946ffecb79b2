package dev.kiln.runtime.kernels;

/** The plain-Java {@link OptimizerSteps}: loops C2 can vectorize itself (no reductions inside). */
final class ScalarOptimizerSteps implements OptimizerSteps {

  @Override
  public boolean adam(float[] params, float[] grads, float[] m, float[] v, int from, int to,
      float beta1, float oneMinusBeta1, float beta2, float oneMinusBeta2, float stepSize,
      float rsqrtBc2, float epsilon, float decay, float[][] saved) {
    if (saved != null) {
      int length = to - from;
      System.arraycopy(params, from, saved[0], from, length);
      System.arraycopy(m, from, saved[1], from, length);
      System.arraycopy(v, from, saved[2], from, length);
    }
    for (int i = from; i < to; i++) {
      float g = grads[i];
      float mi = beta1 * m[i] + oneMinusBeta1 * g;
      float vi = beta2 * v[i] + oneMinusBeta2 * g * g;
      m[i] = mi;
      v[i] = vi;
      params[i] = params[i] * decay - stepSize * mi / ((float) Math.sqrt(vi) * rsqrtBc2 + epsilon);
    }
    // A separate scan: a reduction inside the loop above would stop C2 from vectorizing it.
    return saved == null || allFinite(params, from, to) && allFinite(v, from, to);
  }

  /** A max reduction of |x| (C2 vectorizes it, unlike an early-exit loop): NaN and infinity fail. */
  static boolean allFinite(float[] values, int from, int to) {
    float max = 0f;
    for (int i = from; i < to; i++) {
      max = Math.max(max, Math.abs(values[i]));
    }
    return max <= Float.MAX_VALUE;
  }

  @Override
  public String description() {
    return "scalar";
  }
}
