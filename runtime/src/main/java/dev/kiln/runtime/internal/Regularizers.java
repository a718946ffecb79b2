package dev.kiln.runtime.internal;

/**
 * Kernel regularizers with Keras's semantics: {@code l1(a)} adds {@code a * sum(|w|)} and
 * {@code l2(b)} adds {@code b * sum(w^2)} to the loss; both together are Keras's {@code l1_l2}.
 */
public final class Regularizers {
  private Regularizers() {}

  /**
   * The penalty {@code l1 * sum|w| + l2 * sum w^2} over {@code params[offset, offset + count)};
   * when {@code grads} is not null, adds its gradient {@code l1 * sign(w) + 2 * l2 * w} there
   * (the layer's backward pass has already written the loss gradient).
   */
  public static double elasticNet(float[] params, int offset, int count, float l1, float l2, float[] grads) {
    double absSum = 0;
    double squareSum = 0;
    float twoL2 = 2 * l2;
    for (int i = offset; i < offset + count; i++) {
      float w = params[i];
      absSum += Math.abs(w);
      squareSum += (double) w * w;
      if (grads != null) {
        grads[i] += l1 * Math.signum(w) + twoL2 * w;
      }
    }
    return l1 * absSum + l2 * squareSum;
  }
}
