package dev.kiln.runtime;

import java.util.SplittableRandom;

/**
 * Draws a class (a token, a character) from a model's output probabilities, for generation:
 * softmax(log p / temperature) over the {@code topK} most probable classes. Temperature 1 keeps the
 * model's distribution, below 1 sharpens it (towards the most probable class), above 1 flattens it.
 * Seeded ({@link SplittableRandom}, whose algorithm is specified), so a seed gives the same draws on
 * every JVM; one instance per thread. It allocates nothing per draw: its scratch is sized once for
 * {@code classes}.
 */
public final class Sampling {
  private final SplittableRandom random;
  private final double[] weights;
  private final int[] order;

  /** A sampler over {@code classes} probabilities, seeded with {@code seed}. */
  public Sampling(int classes, long seed) {
    if (classes <= 0) {
      throw new IllegalArgumentException("classes must be > 0, was " + classes);
    }
    this.random = new SplittableRandom(seed);
    this.weights = new double[classes];
    this.order = new int[classes];
  }

  /**
   * A class drawn from {@code probabilities} (length {@code classes}, non-negative and not all
   * zero; they need not sum to 1) at {@code temperature} (> 0) among the {@code topK} most probable
   * ({@code topK <= 0} or {@code >= classes}: all). Ties at the top-k boundary keep the lower class.
   */
  public int sample(float[] probabilities, double temperature, int topK) {
    int classes = weights.length;
    if (probabilities.length != classes) {
      throw new IllegalArgumentException("expected " + classes + " probabilities, got " + probabilities.length);
    }
    if (!(temperature > 0 && Double.isFinite(temperature))) {
      throw new IllegalArgumentException("temperature must be > 0 and finite, was " + temperature);
    }
    int k = topK <= 0 || topK >= classes ? classes : topK;
    for (int i = 0; i < classes; i++) {
      float p = probabilities[i];
      if (!(p >= 0 && p < Float.POSITIVE_INFINITY)) {
        throw new IllegalArgumentException("probability " + i + " is " + p + "; probabilities must be finite and >= 0");
      }
      order[i] = i;
    }
    if (k < classes) { // partial selection sort: the k largest first (k is small in practice)
      for (int i = 0; i < k; i++) {
        int best = i;
        for (int j = i + 1; j < classes; j++) {
          if (probabilities[order[j]] > probabilities[order[best]]
              || probabilities[order[j]] == probabilities[order[best]] && order[j] < order[best]) {
            best = j;
          }
        }
        int swap = order[i];
        order[i] = order[best];
        order[best] = swap;
      }
    }
    // p^(1/T) = exp(log p / T), scaled by the largest so that small temperatures cannot overflow.
    double largest = 0;
    for (int i = 0; i < k; i++) {
      largest = Math.max(largest, probabilities[order[i]]);
    }
    if (largest == 0) {
      throw new IllegalArgumentException("every probability among the candidates is 0");
    }
    double total = 0;
    for (int i = 0; i < k; i++) {
      double w = Math.exp(Math.log(probabilities[order[i]] / largest) / temperature);
      weights[i] = w;
      total += w;
    }
    double u = random.nextDouble() * total;
    for (int i = 0; i < k; i++) {
      u -= weights[i];
      if (u < 0) {
        return order[i];
      }
    }
    for (int i = k - 1; i >= 0; i--) { // rounding left u at or above the last weight
      if (weights[i] > 0) {
        return order[i];
      }
    }
    return order[0];
  }
}
